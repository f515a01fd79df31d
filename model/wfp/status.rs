//! The NTSTATUS values a WFP call can return in the model, with Microsoft's texts.

/// A failed WFP call's status, in the kernel's NTSTATUS form.
///
/// User-mode callers see `0x8032xxxx` with the same low bits for the `FWP` codes.
/// Displays as `0xC022000E: The call is not allowed from within an explicit transaction.`
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, thiserror::Error)]
pub enum Status {
    #[error("0xC0220001: The callout does not exist.")]
    CalloutNotFound,
    #[error("0xC0220003: The filter does not exist.")]
    FilterNotFound,
    #[error("0xC0220005: The provider does not exist.")]
    ProviderNotFound,
    #[error("0xC0220007: The sublayer does not exist.")]
    SublayerNotFound,
    #[error("0xC0220009: An object with that GUID or LUID already exists.")]
    AlreadyExists,
    #[error("0xC022000A: The object is referenced by other objects, so it cannot be deleted.")]
    InUse,
    #[error("0xC022000B: The call is not allowed from within a dynamic session.")]
    DynamicSessionInProgress,
    #[error("0xC022000C: The call was made from the wrong session, so it cannot be completed.")]
    WrongSession,
    #[error("0xC022000D: The call must be made from within an explicit transaction.")]
    NoTxnInProgress,
    #[error("0xC022000E: The call is not allowed from within an explicit transaction.")]
    TxnInProgress,
    #[error("0xC0220012: The call timed out while waiting to acquire the transaction lock.")]
    Timeout,
    #[error("0xC0220016: The call tried to associate two objects with incompatible lifetimes.")]
    LifetimeMismatch,
    /// A closed (or never opened) engine handle was used (W4; the model's choice of code).
    #[error("0xC0000008: An invalid HANDLE was specified.")]
    InvalidHandle,
    /// The failure a fault plan injects into a call (not a WFP rule: a stand-in for any
    /// failure that has nothing to do with concurrency, such as memory pressure).
    #[error("0xC000009A: Insufficient system resources exist to complete the API.")]
    InsufficientResources,
}

impl Status {
    /// Every status, in code order.
    pub const ALL: [Status; 14] = [
        Status::InvalidHandle,
        Status::InsufficientResources,
        Status::CalloutNotFound,
        Status::FilterNotFound,
        Status::ProviderNotFound,
        Status::SublayerNotFound,
        Status::AlreadyExists,
        Status::InUse,
        Status::DynamicSessionInProgress,
        Status::WrongSession,
        Status::NoTxnInProgress,
        Status::TxnInProgress,
        Status::Timeout,
        Status::LifetimeMismatch,
    ];

    /// The NTSTATUS value.
    pub const fn code(self) -> u32 {
        match self {
            Status::CalloutNotFound => 0xC022_0001,
            Status::FilterNotFound => 0xC022_0003,
            Status::ProviderNotFound => 0xC022_0005,
            Status::SublayerNotFound => 0xC022_0007,
            Status::AlreadyExists => 0xC022_0009,
            Status::InUse => 0xC022_000A,
            Status::DynamicSessionInProgress => 0xC022_000B,
            Status::WrongSession => 0xC022_000C,
            Status::NoTxnInProgress => 0xC022_000D,
            Status::TxnInProgress => 0xC022_000E,
            Status::Timeout => 0xC022_0012,
            Status::LifetimeMismatch => 0xC022_0016,
            Status::InvalidHandle => 0xC000_0008,
            Status::InsufficientResources => 0xC000_009A,
        }
    }

    /// The NTSTATUS value as `0xC022000E`.
    pub fn hex(self) -> String {
        format!("0x{:08X}", self.code())
    }

    /// The kernel's name for it, as in the WDK headers.
    pub const fn name(self) -> &'static str {
        match self {
            Status::CalloutNotFound => "STATUS_FWP_CALLOUT_NOT_FOUND",
            Status::FilterNotFound => "STATUS_FWP_FILTER_NOT_FOUND",
            Status::ProviderNotFound => "STATUS_FWP_PROVIDER_NOT_FOUND",
            Status::SublayerNotFound => "STATUS_FWP_SUBLAYER_NOT_FOUND",
            Status::AlreadyExists => "STATUS_FWP_ALREADY_EXISTS",
            Status::InUse => "STATUS_FWP_IN_USE",
            Status::DynamicSessionInProgress => "STATUS_FWP_DYNAMIC_SESSION_IN_PROGRESS",
            Status::WrongSession => "STATUS_FWP_WRONG_SESSION",
            Status::NoTxnInProgress => "STATUS_FWP_NO_TXN_IN_PROGRESS",
            Status::TxnInProgress => "STATUS_FWP_TXN_IN_PROGRESS",
            Status::Timeout => "STATUS_FWP_TIMEOUT",
            Status::LifetimeMismatch => "STATUS_FWP_LIFETIME_MISMATCH",
            Status::InvalidHandle => "STATUS_INVALID_HANDLE",
            Status::InsufficientResources => "STATUS_INSUFFICIENT_RESOURCES",
        }
    }
}
