//! Point-in-time recovery: restorations requested and the pause they put on writes.

use crate::errors::not_found;
use cognito_model::shapes::*;
use cognito_model::{CognitoError, Timestamp};
use serde::{Deserialize, Serialize};

/// This family's state within a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RecoveryState {
    /// Every recovery of the pool, oldest first.
    pub(crate) restorations: Vec<Restoration>,
}

/// One recovery.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Restoration {
    pub(crate) id: String,
    pub(crate) status: RestoreStatusType,
    pub(crate) restore_timestamp: Timestamp,
    pub(crate) trigger_timestamp: Timestamp,
    /// When it was started, if it was.
    pub(crate) started: Option<Timestamp>,
}

impl Restoration {
    /// The status as of `now`: a preview left alone for a day has expired.
    pub(crate) fn status_at(&self, now: Timestamp) -> RestoreStatusType {
        if self.status == RestoreStatusType::PreviewGenerated
            && now >= self.trigger_timestamp.plus_millis(DAY)
        {
            RestoreStatusType::PreviewExpired
        } else {
            self.status
        }
    }

    /// Whether the recovery pauses writes to the pool at `now`.
    pub(crate) fn active_at(&self, now: Timestamp) -> bool {
        matches!(
            self.status_at(now),
            RestoreStatusType::PreviewGenerating
                | RestoreStatusType::PreviewGenerated
                | RestoreStatusType::Restoring
        )
    }

    /// The recovery as `DescribePointInTimeRecovery` answers it.
    pub(crate) fn describe(&self, now: Timestamp) -> RestorationType {
        let status = self.status_at(now);
        self.answer(status)
    }

    /// The recovery reported with `status`, with its preview while it has one.
    pub(crate) fn answer(&self, status: RestoreStatusType) -> RestorationType {
        let has_preview = matches!(
            status,
            RestoreStatusType::PreviewGenerated
                | RestoreStatusType::Restoring
                | RestoreStatusType::RestoreCompleted
        );
        RestorationType {
            restore_id: Some(self.id.clone()),
            restore_status: Some(status),
            restore_timestamp: Some(self.restore_timestamp),
            trigger_timestamp: Some(self.trigger_timestamp),
            restore_preview: has_preview.then(|| {
                PREVIEW_ENTITIES
                    .iter()
                    .map(|entity| RestorePreviewType {
                        entity: Some((*entity).to_string()),
                        create_count: Some(0),
                        update_count: Some(0),
                        delete_count: Some(0),
                    })
                    .collect()
            }),
        }
    }
}

impl RecoveryState {
    /// Whether a recovery pauses writes to the pool's user data at `now`.
    #[allow(dead_code, reason = "checked by the operations that write user data")]
    pub(crate) fn writes_paused(&self, now: Timestamp) -> bool {
        self.restorations.iter().any(|r| r.active_at(now))
    }

    pub(crate) fn find(&self, id: &str) -> Result<&Restoration, CognitoError> {
        self.restorations
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| recovery_not_found(id))
    }

    pub(crate) fn find_mut(&mut self, id: &str) -> Result<&mut Restoration, CognitoError> {
        self.restorations
            .iter_mut()
            .find(|r| r.id == id)
            .ok_or_else(|| recovery_not_found(id))
    }
}

pub(crate) const MINUTE: i64 = 60_000;

pub(crate) const DAY: i64 = 24 * 60 * MINUTE;

/// The entity types a recovery preview counts.
pub(crate) const PREVIEW_ENTITIES: [&str; 4] = ["Users", "Groups", "User MFAs", "Passkeys"];

pub(crate) fn recovery_not_found(id: &str) -> CognitoError {
    not_found(format!("Point-in-time recovery {id} does not exist."))
}
