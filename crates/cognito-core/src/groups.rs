//! Groups: `CreateGroup`, `GetGroup`, `UpdateGroup`, `DeleteGroup`, `ListGroups`.

/// This family's state within a pool.
#[derive(Debug, Clone, Default)]
pub struct GroupsState {}
