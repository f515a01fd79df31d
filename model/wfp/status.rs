//! The NTSTATUS values a WFP call can return in the model, with Microsoft's texts.

macro_rules! statuses {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $name:literal, $text:literal;)*) => {
        /// A failed WFP call's status, in the kernel's NTSTATUS form.
        ///
        /// User-mode callers see `0x8032xxxx` with the same low bits for the `FWP` codes.
        /// Displays as `0xC022000E: The call is not allowed from within an explicit transaction.`
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, thiserror::Error)]
        #[error("{}: {}", self.hex(), self.text())]
        pub enum Status {
            $(#[doc = concat!("`", $name, "`: ", $text)] $(#[$doc])* $variant,)*
        }

        impl Status {
            /// Every status, in the order they print.
            pub const ALL: &[Status] = &[$(Status::$variant),*];

            /// The NTSTATUS value.
            pub const fn code(self) -> u32 {
                match self {
                    $(Status::$variant => $code,)*
                }
            }

            /// The kernel's name for it, as in the WDK headers.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Status::$variant => $name,)*
                }
            }

            /// Microsoft's text for it.
            pub const fn text(self) -> &'static str {
                match self {
                    $(Status::$variant => $text,)*
                }
            }
        }
    };
}

// One row per status: variant = NTSTATUS, WDK name, Microsoft's text. The rows' order is
// the order statuses print in (`Ord`).
statuses! {
    CalloutNotFound = 0xC022_0001, "STATUS_FWP_CALLOUT_NOT_FOUND", "The callout does not exist.";
    FilterNotFound = 0xC022_0003, "STATUS_FWP_FILTER_NOT_FOUND", "The filter does not exist.";
    ProviderNotFound = 0xC022_0005, "STATUS_FWP_PROVIDER_NOT_FOUND", "The provider does not exist.";
    SublayerNotFound = 0xC022_0007, "STATUS_FWP_SUBLAYER_NOT_FOUND", "The sublayer does not exist.";
    AlreadyExists = 0xC022_0009, "STATUS_FWP_ALREADY_EXISTS", "An object with that GUID or LUID already exists.";
    InUse = 0xC022_000A, "STATUS_FWP_IN_USE", "The object is referenced by other objects, so it cannot be deleted.";
    DynamicSessionInProgress = 0xC022_000B, "STATUS_FWP_DYNAMIC_SESSION_IN_PROGRESS", "The call is not allowed from within a dynamic session.";
    WrongSession = 0xC022_000C, "STATUS_FWP_WRONG_SESSION", "The call was made from the wrong session, so it cannot be completed.";
    NoTxnInProgress = 0xC022_000D, "STATUS_FWP_NO_TXN_IN_PROGRESS", "The call must be made from within an explicit transaction.";
    TxnInProgress = 0xC022_000E, "STATUS_FWP_TXN_IN_PROGRESS", "The call is not allowed from within an explicit transaction.";
    Timeout = 0xC022_0012, "STATUS_FWP_TIMEOUT", "The call timed out while waiting to acquire the transaction lock.";
    LifetimeMismatch = 0xC022_0016, "STATUS_FWP_LIFETIME_MISMATCH", "The call tried to associate two objects with incompatible lifetimes.";
    /// A closed (or never opened) engine handle was used (W4; the model's choice of code).
    InvalidHandle = 0xC000_0008, "STATUS_INVALID_HANDLE", "An invalid HANDLE was specified.";
    /// The failure a fault plan injects into a call (not a WFP rule: a stand-in for any
    /// failure that has nothing to do with concurrency, such as memory pressure).
    InsufficientResources = 0xC000_009A, "STATUS_INSUFFICIENT_RESOURCES", "Insufficient system resources exist to complete the API.";
    /// What a call returns when it took effect but its reply was lost (the fault
    /// `fails_after_effect`): #5486's FwpmFilterDeleteById returned it under memory pressure.
    RpcCallFailed = 0xC002_001B, "RPC_NT_CALL_FAILED", "The remote procedure call failed.";
}

impl Status {
    /// The NTSTATUS value as `0xC022000E`.
    pub fn hex(self) -> String {
        format!("0x{:08X}", self.code())
    }
}
