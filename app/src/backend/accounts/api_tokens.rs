//! API clients' tokens: a family per login, rotated on every refresh, ended on reuse or logout.
use super::{AccountsService, Client, REFRESHES_PER_IP_MIN, TokenPair, internal, random_id, tokens};
use crate::{
    error::AppError,
    backend::store::accounts::{NextRefresh, RefreshRow, RefreshUse},
    ids::UserId,
};

/// A new refresh token for `client`, and what is stored of it.
fn new_refresh(client: &Client, at: i64) -> (String, NextRefresh) {
    let token = tokens::new_refresh_token();
    let next = NextRefresh {
        token_hash: tokens::hash_refresh_token(&token),
        user_agent: client.user_agent.clone(),
        ip: client.ip.clone(),
        created_at: at,
        expires_at: at + tokens::REFRESH_TTL_SECS,
    };
    (token, next)
}

impl AccountsService {
    /// Starts a token family for an API client that just proved who it is.
    pub async fn issue_tokens(&self, user_id: &UserId, client: &Client) -> Result<TokenPair, AppError> {
        let user_id = user_id.as_str();
        let (refresh_token, next) = new_refresh(client, self.clock.now());
        let family = random_id();
        let row = RefreshRow {
            token_hash: next.token_hash,
            family: family.clone(),
            user_id: user_id.to_owned(),
            user_agent: next.user_agent,
            ip: next.ip,
            created_at: next.created_at,
            expires_at: next.expires_at,
        };
        self.store.refresh_insert(&row).await.map_err(internal)?;
        self.token_pair(user_id, &family, refresh_token, row.created_at)
    }

    fn token_pair(&self, user_id: &str, family: &str, refresh_token: String, at: i64) -> Result<TokenPair, AppError> {
        let access_token = tokens::access_token_for_device(&self.config.secret, user_id, family, at).map_err(|e| {
            tracing::error!(error = %e, "signing an access token failed");
            AppError::Internal
        })?;
        Ok(TokenPair { access_token, refresh_token, token_type: "Bearer".into(), expires_in: tokens::ACCESS_TTL_SECS })
    }

    /// Trades a refresh token for a new pair. Each works once; a reused one ends its family.
    pub async fn refresh(&self, refresh_token: &str, client: &Client) -> Result<TokenPair, AppError> {
        self.limit_address("refresh", client, REFRESHES_PER_IP_MIN, 60)?;
        let hash = tokens::hash_refresh_token(refresh_token.trim());
        let (next_token, next) = new_refresh(client, self.clock.now());
        match self.store.refresh_rotate(&hash, &next, next.created_at).await.map_err(internal)? {
            RefreshUse::Spent(row) => self.token_pair(&row.user_id, &row.family, next_token, row.created_at),
            RefreshUse::Reused => {
                tracing::warn!("a spent refresh token was presented again; its family is revoked");
                Err(AppError::Unauthenticated)
            }
            RefreshUse::Invalid => Err(AppError::Unauthenticated),
        }
    }

    /// Signs an API client out: its refresh token (and every one rotated from the same login)
    /// stops working. Access tokens already issued expire on their own within minutes.
    pub async fn sign_out_token(&self, user_id: &UserId, refresh_token: &str) -> Result<(), AppError> {
        let hash = tokens::hash_refresh_token(refresh_token.trim());
        if self.store.refresh_revoke_family(user_id.as_str(), &hash, self.clock.now()).await.map_err(internal)? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The user an access token names, if it is valid.
    pub fn bearer_user(&self, token: &str) -> Option<UserId> {
        tokens::verify_access(&self.config.secret, token)
    }

    /// Everything a valid access token says (user, device, expiry).
    pub fn bearer_claims(&self, token: &str) -> Option<tokens::AccessClaims> {
        tokens::access_claims(&self.config.secret, token)
    }
}
