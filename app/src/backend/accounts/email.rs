//! Email + password: sign-up with a code to the email, password login, forgot password, and
//! adding an email or phone to an account that has only the other.
use super::{AccountsService, Client, Pending, Taken, code_error, internal, phone, taken};
use crate::{
    accounts::{types::PendingCode, validate},
    error::AppError,
    backend::store::accounts::UserRow,
    ids::UserId,
};

/// Password tries per email and per client IP in 15 minutes.
const PASSWORD_TRIES_PER_EMAIL: usize = 10;
const PASSWORD_TRIES_PER_IP: usize = 30;

/// `ada.lovelace@example.com` → `a•••@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}•••@{domain}", local.chars().next().unwrap_or('•')),
        None => "•••".into(),
    }
}

fn wrong_credentials() -> AppError {
    AppError::WrongCredentials
}

impl AccountsService {
    /// Anyone may start an email sign-up: checks the username, email and password, then sends a
    /// code to the email. The account exists once the code is entered (`verify`).
    pub async fn start_register_email(
        &self,
        username: &str,
        email: &str,
        password: &str,
        client: &Client,
    ) -> Result<PendingCode, AppError> {
        let username = validate::username(username)?;
        let email = validate::email(email)?;
        let password = validate::password(password, &[&username, &email, local_part(&email)])?;
        if self.store.username_exists(&username).await.map_err(internal)? {
            return Err(taken(Taken::Username));
        }
        // Limits before the email lookup (it answers "taken") and before the slow hash.
        self.limit_code_send(&email, client)?;
        if self.store.user_by_email(&email).await.map_err(internal)?.is_some() {
            return Err(taken(Taken::Email));
        }
        let password_hash = self.hashing.hash(password).await?;
        self.send_new_code(Pending::RegisterEmail { username, password_hash }, &email).await
    }

    /// Email and password prove who someone is. The same answer for an unknown email and a
    /// wrong password, after the same work (one argon2 check, against a decoy hash when there
    /// is no account), so neither the answer nor its time reveals which emails have accounts.
    pub async fn login_password(&self, email: &str, password: &str, client: &Client) -> Result<UserRow, AppError> {
        let email = validate::email(email)?;
        self.limit_address("password", client, PASSWORD_TRIES_PER_IP, 900)?;
        self.limit(format!("password-email:{email}"), PASSWORD_TRIES_PER_EMAIL, 900)?;
        if password.chars().count() > validate::PASSWORD_MAX {
            return Err(wrong_credentials());
        }
        let user = self.store.user_by_email(&email).await.map_err(internal)?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let matches = self.hashing.verify(password.to_owned(), hash).await?;
        match user {
            Some(user) if matches => Ok(user),
            _ => Err(wrong_credentials()),
        }
        .inspect_err(|_| tracing::info!("a password login was refused"))
    }

    /// Sends a code to the email of an account, to choose a new password with. The answer is
    /// the same when no account uses the email (nothing is sent then).
    pub async fn forgot_password(&self, email: &str, client: &Client) -> Result<PendingCode, AppError> {
        let email = validate::email(email)?;
        self.limit_code_send(&email, client)?;
        let user = self.store.user_by_email(&email).await.map_err(internal)?;
        self.send_new_code(Pending::ResetPassword { user_id: user.map(|u| u.id) }, &email).await
    }

    /// Sets a new password with the code from `forgot_password`, and signs out every session
    /// and API client of the account: whoever knew the old password is out. The caller then
    /// signs in the device that did this.
    pub async fn reset_password(&self, pending_id: &str, code: &str, password: &str, client: &Client) -> Result<UserRow, AppError> {
        // Check the new password before the code is spent, so a weak one costs no try.
        let (row, pending) = self.live_code(pending_id).await?;
        let Pending::ResetPassword { user_id } = pending else {
            return Err(code_error("code_unknown", "That code is not for a new password — start again"));
        };
        // A decoy (no account) goes through the same checks and fails at the code.
        let user = match user_id {
            Some(id) => Some(self.user_row(&id).await?),
            None => None,
        };
        let username = user.as_ref().map(|u| u.username.as_str()).unwrap_or_default();
        let password = validate::password(password, &[username, &row.destination])?;
        self.redeem(pending_id, code, client, |_| Ok(())).await?;
        let user = user.ok_or(AppError::Internal)?;
        let hash = self.hashing.hash(password).await?;
        self.store.user_set_password(&user.id, &hash).await.map_err(internal)?;
        self.store.sign_out_everywhere(&user.id, None, self.clock.now()).await.map_err(internal)?;
        self.recheck_devices(&user.id);
        tracing::info!(user_id = %user.id, "password reset; every session signed out");
        Ok(user)
    }

    /// The signed-in `user_id` adds an email and password; a code to the email confirms it.
    pub async fn start_add_email(
        &self,
        user_id: &UserId,
        email: &str,
        password: &str,
        confirmation: Option<&str>,
        client: &Client,
    ) -> Result<PendingCode, AppError> {
        let user = self.user(user_id).await?;
        let email = validate::email(email)?;
        let password = validate::password(password, &[&user.username, &email, local_part(&email)])?;
        // After the checks the person can fix, so they confirm once, for an email that will do.
        self.require_confirmation(user_id, confirmation)?;
        self.limit_code_send(&email, client)?;
        if self.store.user_by_email(&email).await.map_err(internal)?.is_some_and(|other| other.id != user.id) {
            return Err(taken(Taken::Email));
        }
        let password_hash = self.hashing.hash(password).await?;
        self.send_new_code(Pending::AddEmail { user_id: user.id, password_hash }, &email).await
    }

    /// The signed-in `user_id` adds (or changes) the phone number; a code to it confirms it.
    pub async fn start_add_phone(&self, user_id: &UserId, phone: &str, client: &Client) -> Result<PendingCode, AppError> {
        let user = self.user(user_id).await?;
        let phone = phone::parse_phone(phone, &self.config.default_region)?;
        self.limit_code_send(&phone, client)?;
        if self.store.user_by_phone(&phone).await.map_err(internal)?.is_some_and(|other| other.id != user.id) {
            return Err(taken(Taken::Phone));
        }
        self.send_new_code(Pending::AddPhone { user_id: user.id }, &phone).await
    }
}

fn local_part(email: &str) -> &str {
    email.split('@').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{AccountsService, Client, mask_email};
    use crate::backend::{
        accounts::{
            AccountsConfig,
            delivery::{ConsoleSender, Senders},
        },
        store::{accounts::UserRow, scratch::ScratchDatabase},
    };

    #[tokio::test]
    async fn a_wrong_password_costs_one_argon2_check_whether_or_not_the_email_has_an_account() {
        // Before: a known email with a wrong password cost two checks, an unknown one one, and
        // the time of the answer told which emails have accounts.
        let database = ScratchDatabase::new().await;
        let store = database.open().await.unwrap();
        let senders = Senders { sms: Arc::new(ConsoleSender), email: Arc::new(ConsoleSender) };
        let config = AccountsConfig {
            secret: vec![7; 32],
            default_region: "GB".into(),
            code_sends_per_ip_hour: 5,
            code_checks_per_ip_10_min: 60,
        };
        let accounts = AccountsService::new(store.clone(), crate::backend::hub::Hub::local(), senders, config);
        let password_hash = accounts.hashing.hash("correct horse battery".into()).await.unwrap();
        let ada = UserRow {
            id: "7KQ4M2XD".into(),
            username: "ada".into(),
            display_name: "ada".into(),
            phone: None,
            email: Some("ada@example.com".into()),
            password_hash: Some(password_hash),
            created_at: 0,
        };
        store.user_insert(&ada).await.unwrap();
        let client = Client::default();
        for email in ["ada@example.com", "nobody@example.com"] {
            let before = accounts.hashing.runs();
            assert!(accounts.login_password(email, "not the password", &client).await.is_err());
            assert_eq!(accounts.hashing.runs() - before, 1, "{email}");
        }
        assert!(accounts.login_password("ada@example.com", "correct horse battery", &client).await.is_ok());
    }

    #[test]
    fn masking_keeps_the_first_letter_and_the_domain() {
        assert_eq!(mask_email("ada.lovelace@example.com"), "a•••@example.com");
        assert_eq!(mask_email("nonsense"), "•••");
    }
}
