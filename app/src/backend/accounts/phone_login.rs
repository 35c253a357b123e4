//! Sign-up and login with a code sent to a phone, and `verify`, which completes whatever a code
//! was sent for (a new account, a login, or a phone or email added to an account).
use rand::Rng;

use super::{AccountsService, Client, Pending, code_error, internal, phone, taken};
use crate::{
    accounts::{types::PendingCode, validate},
    backend::store::accounts::{InsertUser, Taken, UserRow},
    error::AppError,
    ids::UserId,
};

impl AccountsService {
    /// Anyone may start a sign-up: sends a code to `phone` if the username and phone are free.
    /// "Taken" must be said here, so asking counts as a send: a few per address per hour.
    pub async fn start_register(&self, username: &str, phone: &str, client: &Client) -> Result<PendingCode, AppError> {
        let username = validate::username(username)?;
        let phone = phone::parse_phone(phone, &self.config.default_region)?;
        // Early answers for a better form; the unique indexes still decide at creation.
        // Usernames are public (people search finds them), so this one costs no send.
        if self.store.username_exists(&username).await.map_err(internal)? {
            return Err(taken(Taken::Username));
        }
        self.limit_code_send(&phone, client)?;
        if self.store.user_by_phone(&phone).await.map_err(internal)?.is_some() {
            return Err(taken(Taken::Phone));
        }
        self.send_new_code(Pending::Register { username }, &phone).await
    }

    /// Sends a login code to the account's phone; with a user ID, only if the phone is that
    /// user's. The answer is the same when there is no such account (nothing is sent then), so
    /// it never tells which numbers have accounts.
    pub async fn start_login(&self, user_id: Option<&UserId>, phone: &str, client: &Client) -> Result<PendingCode, AppError> {
        let wanted = user_id.map(|id| id.as_str().trim()).filter(|s| !s.is_empty()).map(validate::user_id).transpose()?;
        let phone = phone::parse_phone(phone, &self.config.default_region)?;
        self.limit_code_send(&phone, client)?;
        let user = self.store.user_by_phone(&phone).await.map_err(internal)?;
        let user_id = user.map(|u| u.id).filter(|id| wanted.as_ref().is_none_or(|w| w == id));
        self.send_new_code(Pending::Login { user_id }, &phone).await
    }

    /// Checks a code and completes what it was sent for: creates the account (sign-up), names
    /// the account (login), or adds a phone or email to `caller`'s account, which must be the
    /// one that asked for the code. The caller then signs the person in.
    pub async fn verify(&self, pending_id: &str, code: &str, caller: Option<&UserId>, client: &Client) -> Result<UserRow, AppError> {
        let caller = caller.map(UserId::as_str);
        let (row, pending) = self
            .redeem(pending_id, code, client, |pending| match pending {
                Pending::ResetPassword { .. } => Err(code_error("code_unknown", "That code is for a new password — set one first")),
                Pending::Confirm { .. } => Err(code_error("code_unknown", "That code confirms a change — enter it there")),
                Pending::AddPhone { user_id } | Pending::AddEmail { user_id, .. } if caller != Some(user_id.as_str()) => {
                    Err(AppError::Forbidden)
                }
                _ => Ok(()),
            })
            .await?;
        match pending {
            Pending::Register { username } => self.create_user(&username, Some(&row.destination), None).await,
            Pending::RegisterEmail { username, password_hash } => {
                self.create_user(&username, None, Some((&row.destination, &password_hash))).await
            }
            Pending::Login { user_id: Some(user_id) } => self.user_row(&user_id).await,
            Pending::AddPhone { user_id } => {
                self.store.user_set_phone(&user_id, &row.destination).await.map_err(internal)?.map_err(taken)?;
                self.user_row(&user_id).await
            }
            Pending::AddEmail { user_id, password_hash } => {
                self.store.user_set_email(&user_id, &row.destination, &password_hash).await.map_err(internal)?.map_err(taken)?;
                self.user_row(&user_id).await
            }
            // A decoy never matches a code, and a reset code is refused above.
            Pending::Login { user_id: None } | Pending::ResetPassword { .. } | Pending::Confirm { .. } => Err(AppError::Internal),
        }
    }

    async fn create_user(&self, username: &str, phone: Option<&str>, email: Option<(&str, &str)>) -> Result<UserRow, AppError> {
        loop {
            let user = UserRow {
                id: validate::user_id_from_bits(rand::rng().random::<u64>() & 0xFF_FFFF_FFFF),
                username: username.to_owned(),
                display_name: username.to_owned(),
                phone: phone.map(str::to_owned),
                email: email.map(|(e, _)| e.to_owned()),
                password_hash: email.map(|(_, h)| h.to_owned()),
                created_at: self.clock.now(),
            };
            match self.store.user_insert(&user).await.map_err(internal)? {
                InsertUser::Inserted => {
                    tracing::info!(user_id = %user.id, "account created");
                    return Ok(user);
                }
                // 2^40 IDs: a collision is rare; draw another.
                InsertUser::Taken(Taken::Id) => continue,
                InsertUser::Taken(Taken::Username) => {
                    return Err(AppError::conflict("username", "That username was just taken — try another"));
                }
                InsertUser::Taken(other) => return Err(taken(other)),
            }
        }
    }
}
