//! Attachments in conversations: tying uploads to the message they are sent with, who may
//! fetch them, and removing them with their message.
use super::{ChatsService, R, internal};
use crate::backend::media::attachment_view;
use crate::backend::store::attachments::{AttachmentRow, ClaimRefused};
use crate::error::AppError;
use crate::ids::UserId;
use crate::media::types::{AttachmentKind, AttachmentView, MAX_PER_MESSAGE};

/// What a message stores of its attachments: their views (JSON) and, for search, the files' names.
pub(super) struct Attached {
    pub views: Option<String>,
    pub names: Option<String>,
}

/// Reads a message's stored attachment views; unreadable JSON shows as none (and is logged).
pub(super) fn stored_views(json: Option<&str>) -> Vec<AttachmentView> {
    match json.map(serde_json::from_str::<Vec<AttachmentView>>) {
        None => Vec::new(),
        Some(Ok(views)) => views,
        Some(Err(e)) => {
            tracing::error!(error = %e, "a message's attachments cannot be read");
            Vec::new()
        }
    }
}

fn refused(code: &str, reason: &str) -> AppError {
    AppError::invalid_with_code(code, "attachments", reason)
}

impl ChatsService {
    /// Ties `ids` (uploads of `me`) to the message `client_id` about to be sent in `chat_id`.
    pub(super) async fn attach(&self, me: &str, chat_id: &str, client_id: &str, ids: &[String]) -> R<Attached> {
        if ids.is_empty() {
            return Ok(Attached { views: None, names: None });
        }
        if self.media.is_none() {
            return Err(refused("attachments_unavailable", "This server doesn’t take attachments"));
        }
        if ids.len() > MAX_PER_MESSAGE {
            return Err(refused("too_many_attachments", &format!("A message can have at most {MAX_PER_MESSAGE} attachments")));
        }
        for (i, id) in ids.iter().enumerate() {
            if id.is_empty() || id.len() > 64 || id.contains(char::is_control) {
                return Err(refused("attachment_unknown", "That attachment isn’t there — upload it again"));
            }
            if ids[..i].contains(id) {
                return Err(refused("attachment_repeated", "The same attachment is in the message twice"));
            }
        }
        let rows = match self.store.attachments_claim(me, ids, chat_id, client_id).await.map_err(internal)? {
            Ok(rows) => rows,
            Err(ClaimRefused::Unknown(_)) => return Err(refused("attachment_unknown", "That attachment isn’t there any more — upload it again")),
            Err(ClaimRefused::Taken(_)) => return Err(refused("attachment_sent", "That attachment was sent in another message")),
        };
        let views: Vec<AttachmentView> = rows.iter().map(attachment_view).collect();
        if views.len() > 1 && views.iter().any(|v| v.kind == AttachmentKind::Voice) {
            self.store.attachments_release(me, client_id, &[]).await.map_err(internal)?;
            return Err(refused("voice_alone", "A voice message is sent on its own"));
        }
        // Words only: PostgreSQL's parser would keep `q3-report.pdf` whole, as a host name.
        let words = |name: &str| name.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect::<String>();
        let names: Vec<String> = views.iter().filter(|v| v.kind == AttachmentKind::File).map(|v| words(&v.name)).collect();
        Ok(Attached {
            views: Some(serde_json::to_string(&views).map_err(|_| AppError::Internal)?),
            names: (!names.is_empty()).then(|| names.join(" ")),
        })
    }

    /// A resend found the message stored already: uploads named this time but not in it go
    /// back to being unsent.
    pub(super) async fn keep_only_stored(&self, me: &str, client_id: &str, stored_json: Option<&str>) -> R<()> {
        let keep: Vec<String> = stored_views(stored_json).into_iter().map(|v| v.id).collect();
        self.store.attachments_release(me, client_id, &keep).await.map_err(internal)
    }

    /// Removes a deleted message's attachments and, where nothing else uses them, their bytes.
    pub(super) async fn remove_attachments(&self, sender: &str, client_id: Option<&str>) -> R<()> {
        let Some(client_id) = client_id else { return Ok(()) };
        let unused = self.store.attachments_delete_of_message(sender, client_id).await.map_err(internal)?;
        if let Some(media) = &self.media {
            media.forget_blobs(&unused).await;
        }
        Ok(())
    }

    /// An attachment the caller may fetch: their own upload, or one sent in a chat they can
    /// read. Anything else, whether it exists or not, is `NotFound`.
    pub async fn readable_attachment(&self, me: &UserId, attachment_id: &str) -> R<AttachmentRow> {
        let me = me.as_str();
        if attachment_id.is_empty() || attachment_id.len() > 64 || attachment_id.contains(char::is_control) {
            return Err(AppError::NotFound);
        }
        let row = self.store.attachment(attachment_id).await.map_err(internal)?.ok_or(AppError::NotFound)?;
        if row.uploader_id == me {
            return Ok(row);
        }
        let Some(client_id) = &row.client_id else { return Err(AppError::NotFound) };
        // Tied to a message is not yet sent: the message must be stored, and be where it says.
        let chat_id = self.store.attachment_sent_in(&row.uploader_id, client_id).await.map_err(internal)?;
        match chat_id {
            Some(chat_id) if row.chat_id.as_ref() == Some(&chat_id) => {
                self.readable_access(me, &chat_id).await?;
                Ok(row)
            }
            _ => Err(AppError::NotFound),
        }
    }
}
