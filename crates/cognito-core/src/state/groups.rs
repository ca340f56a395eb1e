//! A pool's groups and their members.

use cognito_model::shapes::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// This family's state within a pool.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupsState {
    /// Groups by name.
    pub(crate) groups: BTreeMap<String, Group>,
}

/// One group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    /// The group as `GetGroup` answers it.
    pub config: GroupType,
    /// The keys of the users in the group.
    #[serde(skip)]
    pub members: BTreeSet<String>,
}

impl GroupsState {
    /// The group called `name`.
    pub fn get(&self, name: &str) -> Option<&Group> {
        self.groups.get(name)
    }

    /// The group called `name`, to change its members.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Group> {
        self.groups.get_mut(name)
    }

    /// Takes `user_key` out of `groups`, as when the user is deleted.
    pub fn forget_user<'a>(
        &mut self,
        user_key: &str,
        groups: impl IntoIterator<Item = &'a String>,
    ) {
        for name in groups {
            if let Some(group) = self.groups.get_mut(name) {
                group.members.remove(user_key);
            }
        }
    }
}
