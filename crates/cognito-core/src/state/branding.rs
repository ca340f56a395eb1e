//! Managed login branding styles and classic UI customizations, by app client.

use cognito_model::shapes::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// This family's state within a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BrandingState {
    /// Classic hosted UI customizations by client id (`ALL` for the pool's default).
    pub(crate) ui: BTreeMap<String, UiCustomization>,
    /// Managed login styles by id.
    pub(crate) styles: BTreeMap<String, Style>,
}

/// One classic hosted UI customization.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UiCustomization {
    /// The customization as `GetUICustomization` answers it.
    pub config: UICustomizationType,
    /// The logo, as uploaded: kept for the managed login pages, which do not serve it
    /// yet.
    #[allow(dead_code)]
    #[serde(with = "super::codec::option_bytes")]
    pub image: Option<Vec<u8>>,
}

/// One managed login style.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Style {
    /// The app client the style belongs to.
    pub client_id: String,
    /// The style as `DescribeManagedLoginBranding` answers it.
    pub config: ManagedLoginBrandingType,
}

impl BrandingState {
    /// The classic customization that applies to `client_id`: its own, else the pool's.
    pub fn ui_for(&self, client_id: &str) -> Option<&UiCustomization> {
        self.ui.get(client_id).or_else(|| self.ui.get(ALL_CLIENTS))
    }

    /// The managed login style of `client_id`.
    pub fn style_for(&self, client_id: &str) -> Option<&Style> {
        self.styles.values().find(|s| s.client_id == client_id)
    }

    /// Drops the customization and the style of a deleted app client.
    pub fn forget_client(&mut self, client_id: &str) {
        self.ui.remove(client_id);
        self.styles.retain(|_, s| s.client_id != client_id);
    }
}

/// The client id of the customization that applies to every client.
pub(crate) const ALL_CLIENTS: &str = "ALL";
