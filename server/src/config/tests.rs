use super::*;
use std::collections::HashMap;

fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap().keep();
    let mut map: HashMap<String, String> =
        vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    map.entry("CONFAB_DATA_DIR".into()).or_insert_with(|| dir.display().to_string());
    Config::from_lookup(|k| map.get(k).cloned())
}

#[test]
fn defaults_listen_on_localhost_3000_with_sqlite_in_the_data_dir() {
    let c = config(&[]).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
    assert_eq!(c.public_url, "http://127.0.0.1:3000");
    assert!(c.database_url.starts_with("sqlite://") && c.database_url.ends_with("confab.db"));
    assert!(!c.is_https());
}

#[test]
fn a_generated_secret_is_kept_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let vars = [("CONFAB_DATA_DIR", dir.path().to_str().unwrap())];
    let first = config(&vars).unwrap();
    let second = config(&vars).unwrap();
    assert_eq!(first.secret_key.expose(), second.secret_key.expose());
    assert!(first.secret_key.expose().len() >= 32);
    assert_eq!(format!("{:?}", first.secret_key), "SecretKey(..)");
}

#[test]
fn bad_values_name_their_variable() {
    for (var, value) in [
        ("CONFAB_LISTEN", "localhost"),
        ("CONFAB_PUBLIC_URL", "chat.example.com"),
        ("CONFAB_PUBLIC_URL", "https://chat.example.com/app"),
        ("CONFAB_DATABASE_URL", "mysql://x"),
        ("CONFAB_SECRET_KEY", "short"),
        ("CONFAB_LOG", "confab=loud"),
        ("CONFAB_LOG_FORMAT", "xml"),
        ("CONFAB_CODE_DELIVERY", "pigeon"),
        ("CONFAB_DEFAULT_REGION", "Britain"),
        ("CONFAB_CODE_SENDS_PER_IP_HOUR", "0"),
        ("CONFAB_CODE_CHECKS_PER_IP_10_MIN", "lots"),
        ("CONFAB_SMS_DELIVERY", "smtp"),
        ("CONFAB_EMAIL_DELIVERY", "webhook"),
        ("CONFAB_CORS_ORIGINS", "app.example.com"),
        ("CONFAB_CORS_ORIGINS", "https://app.example.com/"),
        ("CONFAB_CORS_ORIGINS", "https://a.example.com,https://b.example.com/path"),
        ("CONFAB_PUBLIC_URL", "http://192.168.1.20:3000"),
        ("CONFAB_PUBLIC_URL", "http://chat.example.com"),
        ("CONFAB_PASSKEYS", "maybe"),
        ("CONFAB_PASSKEYS", "on"),
    ] {
        let err = config(&[(var, value)]).expect_err(value);
        assert_eq!(err.var, var, "{value}");
    }
}

#[test]
fn each_channel_picks_its_delivery_and_defaults_to_the_common_one() {
    let c = config(&[("CONFAB_CODE_DELIVERY", "outbox")]).unwrap();
    assert_eq!((c.sms_delivery, c.email_delivery), (CodeDelivery::Outbox, CodeDelivery::Outbox));
    let c = config(&[
        ("CONFAB_SMS_DELIVERY", "webhook"),
        ("CONFAB_SMS_WEBHOOK_URL", "https://sms.example.com/send"),
        ("CONFAB_SMS_WEBHOOK_TOKEN", "gateway-token"),
        ("CONFAB_EMAIL_DELIVERY", "smtp"),
        ("CONFAB_SMTP_URL", "smtps://user:pass@smtp.example.com"),
        ("CONFAB_SMTP_FROM", "Confab <codes@example.com>"),
    ])
    .unwrap();
    assert!(matches!(c.sms_delivery, CodeDelivery::Webhook { ref url, token: Some(_) } if url == "https://sms.example.com/send"));
    assert!(matches!(c.email_delivery, CodeDelivery::Smtp { ref from, .. } if from == "Confab <codes@example.com>"));
    let printed = format!("{c:?}");
    assert!(!printed.contains("pass@") && !printed.contains("gateway-token"), "secrets stay out of Debug");
}

#[test]
fn a_delivery_without_its_settings_names_the_missing_variable() {
    for (vars, var) in [
        (&[("CONFAB_SMS_DELIVERY", "webhook")][..], "CONFAB_SMS_WEBHOOK_URL"),
        (&[("CONFAB_SMS_DELIVERY", "webhook"), ("CONFAB_SMS_WEBHOOK_URL", "ftp://x")][..], "CONFAB_SMS_WEBHOOK_URL"),
        (&[("CONFAB_EMAIL_DELIVERY", "smtp")][..], "CONFAB_SMTP_URL"),
        (&[("CONFAB_EMAIL_DELIVERY", "smtp"), ("CONFAB_SMTP_URL", "http://mail")][..], "CONFAB_SMTP_URL"),
        (&[("CONFAB_EMAIL_DELIVERY", "smtp"), ("CONFAB_SMTP_URL", "smtp://mail")][..], "CONFAB_SMTP_FROM"),
    ] {
        assert_eq!(config(vars).expect_err(var).var, var);
    }
}

#[test]
fn cors_is_off_unless_origins_are_listed() {
    assert!(config(&[]).unwrap().cors_origins.is_empty());
    let c = config(&[("CONFAB_CORS_ORIGINS", " https://app.example.com, http://localhost:5173 ")]).unwrap();
    assert_eq!(c.cors_origins, ["https://app.example.com", "http://localhost:5173"]);
}

#[test]
fn an_https_server_refuses_to_print_codes_in_its_log_unless_allowed() {
    let https = ("CONFAB_PUBLIC_URL", "https://chat.example.com");
    let err = config(&[https]).expect_err("console codes on a public server");
    assert_eq!(err.var, "CONFAB_CODE_DELIVERY");
    assert!(err.problem.contains("CONFAB_ALLOW_CONSOLE_CODES=1"), "{}", err.problem);
    let err = config(&[https, ("CONFAB_CODE_DELIVERY", "outbox"), ("CONFAB_EMAIL_DELIVERY", "console")]).unwrap_err();
    assert_eq!(err.var, "CONFAB_EMAIL_DELIVERY", "the variable that chose console is named");
    assert!(config(&[https, ("CONFAB_ALLOW_CONSOLE_CODES", "1")]).is_ok());
    assert!(config(&[https, ("CONFAB_CODE_DELIVERY", "outbox")]).is_ok());
    assert!(config(&[]).is_ok(), "plain http (a local run) prints them as before");
    assert_eq!(config(&[https, ("CONFAB_ALLOW_CONSOLE_CODES", "yes")]).unwrap_err().var, "CONFAB_ALLOW_CONSOLE_CODES");
}

#[test]
fn trusted_proxies_are_addresses_or_ranges() {
    assert_eq!(config(&[]).unwrap().trusted_proxies, TrustedProxies::default());
    assert!(config(&[("CONFAB_TRUSTED_PROXIES", "10.0.0.1, 172.16.0.0/12, ::1")]).is_ok());
    assert_eq!(config(&[("CONFAB_TRUSTED_PROXIES", "10.0.0.0/40")]).unwrap_err().var, "CONFAB_TRUSTED_PROXIES");
}

#[test]
fn blobs_go_to_an_s3_bucket_only_when_one_is_named() {
    assert_eq!(config(&[]).unwrap().blob_s3, None, "the data directory by default");
    let c = config(&[("CONFAB_BLOB_S3_BUCKET", "confab-blobs"), ("CONFAB_BLOB_S3_ENDPOINT", "http://127.0.0.1:9000/")]).unwrap();
    let s3 = c.blob_s3.unwrap();
    assert_eq!((s3.bucket.as_str(), s3.endpoint.as_deref(), s3.region), ("confab-blobs", Some("http://127.0.0.1:9000"), None));
    assert_eq!(s3.keys, None, "keys come from the AWS environment");
    let c = config(&[("CONFAB_BLOB_S3_BUCKET", "b"), ("CONFAB_BLOB_S3_REGION", "eu-west-1")]).unwrap();
    assert_eq!(c.blob_s3.unwrap().region.as_deref(), Some("eu-west-1"));
    for (vars, var) in [
        (&[("CONFAB_BLOB_S3_ENDPOINT", "http://127.0.0.1:9000")][..], "CONFAB_BLOB_S3_BUCKET"),
        (&[("CONFAB_BLOB_S3_BUCKET", "a/b")][..], "CONFAB_BLOB_S3_BUCKET"),
        (&[("CONFAB_BLOB_S3_BUCKET", "b"), ("CONFAB_BLOB_S3_ENDPOINT", "minio:9000")][..], "CONFAB_BLOB_S3_ENDPOINT"),
    ] {
        assert_eq!(config(vars).expect_err(var).var, var);
    }
}

#[cfg(unix)]
#[test]
fn the_data_directory_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    config(&[("CONFAB_DATA_DIR", data.to_str().unwrap())]).unwrap();
    assert_eq!(std::fs::metadata(&data).unwrap().permissions().mode() & 0o777, 0o700);
}

#[test]
fn https_public_url_marks_cookies_secure() {
    let c = config(&[("CONFAB_PUBLIC_URL", "https://chat.example.com/"), ("CONFAB_CODE_DELIVERY", "outbox")]).unwrap();
    assert_eq!(c.public_url, "https://chat.example.com");
    assert!(c.is_https());
}

#[test]
fn passkeys_follow_the_public_url_and_are_off_on_the_default_ip_address() {
    assert!(config(&[]).unwrap().passkeys.is_none(), "http://127.0.0.1:3000 cannot be a relying party");
    assert!(config(&[("CONFAB_PUBLIC_URL", "http://localhost:3000")]).unwrap().passkeys.is_some());
    let https = [("CONFAB_PUBLIC_URL", "https://chat.example.com"), ("CONFAB_CODE_DELIVERY", "outbox")];
    assert!(config(&https).unwrap().passkeys.is_some());
    let off = [("CONFAB_PUBLIC_URL", "http://192.168.1.20:3000"), ("CONFAB_PASSKEYS", "off")];
    assert!(config(&off).unwrap().passkeys.is_none(), "a LAN address runs with passkeys off when asked");
    let err = config(&[("CONFAB_PUBLIC_URL", "http://192.168.1.20:3000")]).unwrap_err();
    assert!(err.to_string().contains("not an IP address") && err.to_string().contains("CONFAB_PASSKEYS=off"), "{err}");
}
