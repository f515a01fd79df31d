//! netebpfext's hook providers, their filter tables and the WFP objects start-up adds.
//!
//! Keys are the GUID names of the real code. The filter tables are upstream's
//! (`_cgroup_inet4_connect_filter_parameters` and the others in
//! `netebpfext/net_ebpf_ext_sock_addr.c`, `_net_ebpf_extension_bind_wfp_filter_parameters`
//! in `net_ebpf_ext_bind.c`), the same at every commit a design models (06533c8d through
//! 55e4ffa8). A filter whose table gives no sublayer (`NULL`) is added on
//! `EBPF_DEFAULT_SUBLAYER`, as `net_ebpf_extension_add_wfp_filters` does.

/// `EBPF_WFP_PROVIDER`: netebpfext's WFP provider.
pub const PROVIDER: &str = "EBPF_WFP_PROVIDER";
/// `EBPF_DEFAULT_SUBLAYER`.
pub const DEFAULT_SUBLAYER: &str = "EBPF_DEFAULT_SUBLAYER";
/// The sublayer of the cgroup connect4 hook.
pub const CGROUP_CONNECT_V4_SUBLAYER: &str = "EBPF_HOOK_CGROUP_CONNECT_V4_SUBLAYER";
/// The sublayer of the cgroup connect6 hook.
pub const CGROUP_CONNECT_V6_SUBLAYER: &str = "EBPF_HOOK_CGROUP_CONNECT_V6_SUBLAYER";

/// The sublayers start-up adds, in order (`_net_ebpf_ext_sublayers`).
pub const SUBLAYERS: [&str; 3] = [DEFAULT_SUBLAYER, CGROUP_CONNECT_V4_SUBLAYER, CGROUP_CONNECT_V6_SUBLAYER];

/// The callouts start-up registers and adds, in order (`_net_ebpf_ext_wfp_callout_states`
/// in `netebpfext/net_ebpf_ext.c`), from 06533c8d through #4192 (86fe3008): 14, with the
/// L2 and FLOW_ESTABLISHED callouts no hook of the model names.
pub const CALLOUTS: [&str; 14] = [
    "EBPF_HOOK_OUTBOUND_L2_CALLOUT",
    "EBPF_HOOK_INBOUND_L2_CALLOUT",
    "EBPF_HOOK_ALE_RESOURCE_ALLOC_V4_CALLOUT",
    "EBPF_HOOK_ALE_RESOURCE_RELEASE_V4_CALLOUT",
    "EBPF_HOOK_ALE_RESOURCE_ALLOC_V6_CALLOUT",
    "EBPF_HOOK_ALE_RESOURCE_RELEASE_V6_CALLOUT",
    "EBPF_HOOK_ALE_AUTH_CONNECT_V4_CALLOUT",
    "EBPF_HOOK_ALE_AUTH_CONNECT_V6_CALLOUT",
    "EBPF_HOOK_ALE_AUTH_RECV_ACCEPT_V4_CALLOUT",
    "EBPF_HOOK_ALE_AUTH_RECV_ACCEPT_V6_CALLOUT",
    "EBPF_HOOK_ALE_CONNECT_REDIRECT_V4_CALLOUT",
    "EBPF_HOOK_ALE_CONNECT_REDIRECT_V6_CALLOUT",
    "EBPF_HOOK_ALE_FLOW_ESTABLISHED_V4_CALLOUT",
    "EBPF_HOOK_ALE_FLOW_ESTABLISHED_V6_CALLOUT",
];

/// The callout table at #5472 (55e4ffa8): 16, the L2 callouts gone, the sock_addr bind
/// and listen callouts added.
pub const CALLOUTS_5472: [&str; 16] = [
    "EBPF_HOOK_ALE_RESOURCE_ALLOC_V4_CALLOUT",
    "EBPF_HOOK_ALE_RESOURCE_RELEASE_V4_CALLOUT",
    "EBPF_HOOK_ALE_RESOURCE_ALLOC_V6_CALLOUT",
    "EBPF_HOOK_ALE_RESOURCE_RELEASE_V6_CALLOUT",
    "EBPF_HOOK_ALE_AUTH_CONNECT_V4_CALLOUT",
    "EBPF_HOOK_ALE_AUTH_CONNECT_V6_CALLOUT",
    "EBPF_HOOK_ALE_AUTH_RECV_ACCEPT_V4_CALLOUT",
    "EBPF_HOOK_ALE_AUTH_RECV_ACCEPT_V6_CALLOUT",
    "EBPF_HOOK_ALE_CONNECT_REDIRECT_V4_CALLOUT",
    "EBPF_HOOK_ALE_CONNECT_REDIRECT_V6_CALLOUT",
    "EBPF_HOOK_ALE_FLOW_ESTABLISHED_V4_CALLOUT",
    "EBPF_HOOK_ALE_FLOW_ESTABLISHED_V6_CALLOUT",
    "EBPF_HOOK_ALE_RESOURCE_ALLOC_V4_SOCK_ADDR_CALLOUT",
    "EBPF_HOOK_ALE_RESOURCE_ALLOC_V6_SOCK_ADDR_CALLOUT",
    "EBPF_HOOK_ALE_AUTH_LISTEN_V4_CALLOUT",
    "EBPF_HOOK_ALE_AUTH_LISTEN_V6_CALLOUT",
];

/// The compartment of an attach that names none (`UNSPECIFIED_COMPARTMENT_ID`): a wildcard.
pub const WILDCARD_COMPARTMENT: u32 = 0;

/// One filter a hook adds for each filter context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterTemplate {
    /// The WFP layer the filter sits at.
    pub layer: &'static str,
    /// Its sublayer.
    pub sublayer: &'static str,
    /// The callout it names.
    pub callout: &'static str,
}

/// Which extension file's attach callback serves the hook before #3751
/// (`_net_ebpf_extension_sock_addr_on_client_attach`, `_net_ebpf_extension_bind_on_client_attach`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookFamily {
    /// `net_ebpf_ext_sock_addr.c`.
    SockAddr,
    /// `net_ebpf_ext_bind.c`.
    Bind,
}

/// `ATTACH_CAPABILITY_*`: which attaches a provider accepts since #3751 (c73a0864).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachCapability {
    /// One client at a time (bind).
    SingleAttach,
    /// One client per compartment, and a wildcard only alone (recv_accept).
    SingleAttachPerHook,
    /// Clients of one compartment share a filter context (connect).
    MultiAttachWithWildcard,
}

/// A hook provider: one per attach type.
#[derive(Debug, PartialEq, Eq)]
pub struct Hook {
    /// The name scenarios use.
    pub name: &'static str,
    /// The eBPF attach type it serves.
    pub attach_type: &'static str,
    /// The name its provider's push lock has in logs.
    pub push_lock: &'static str,
    /// Which extension file's attach callback serves it.
    pub family: HookFamily,
    /// Whether clients share a filter context.
    pub attach_capability: AttachCapability,
    /// Its filter table: one filter per entry for each filter context.
    pub filters: &'static [FilterTemplate],
}

// A hook is one of netebpfext's static providers: its name says which.
impl std::hash::Hash for Hook {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state)
    }
}

const fn filter(layer: &'static str, sublayer: &'static str, callout: &'static str) -> FilterTemplate {
    FilterTemplate { layer, sublayer, callout }
}

/// `EBPF_ATTACH_TYPE_CGROUP_INET4_CONNECT`: connect4.
pub static CONNECT4: Hook = Hook {
    name: "connect4",
    push_lock: "connect4 push lock",
    attach_type: "BPF_CGROUP_INET4_CONNECT",
    family: HookFamily::SockAddr,
    attach_capability: AttachCapability::MultiAttachWithWildcard,
    filters: &[
        filter("ALE_AUTH_CONNECT_V4", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_AUTH_CONNECT_V4_CALLOUT"),
        filter("ALE_CONNECT_REDIRECT_V4", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_CONNECT_REDIRECT_V4_CALLOUT"),
        filter("ALE_CONNECT_REDIRECT_V6", CGROUP_CONNECT_V4_SUBLAYER, "EBPF_HOOK_ALE_CONNECT_REDIRECT_V6_CALLOUT"),
    ],
};

/// `EBPF_ATTACH_TYPE_CGROUP_INET6_CONNECT`: connect6.
pub static CONNECT6: Hook = Hook {
    name: "connect6",
    push_lock: "connect6 push lock",
    attach_type: "BPF_CGROUP_INET6_CONNECT",
    family: HookFamily::SockAddr,
    attach_capability: AttachCapability::MultiAttachWithWildcard,
    filters: &[
        filter("ALE_AUTH_CONNECT_V6", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_AUTH_CONNECT_V6_CALLOUT"),
        filter("ALE_CONNECT_REDIRECT_V6", CGROUP_CONNECT_V6_SUBLAYER, "EBPF_HOOK_ALE_CONNECT_REDIRECT_V6_CALLOUT"),
    ],
};

/// `EBPF_ATTACH_TYPE_CGROUP_INET4_RECV_ACCEPT`: recv_accept4.
pub static RECV_ACCEPT4: Hook = Hook {
    name: "recv_accept4",
    push_lock: "recv_accept4 push lock",
    attach_type: "BPF_CGROUP_INET4_RECV_ACCEPT",
    family: HookFamily::SockAddr,
    attach_capability: AttachCapability::SingleAttachPerHook,
    filters: &[filter("ALE_AUTH_RECV_ACCEPT_V4", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_AUTH_RECV_ACCEPT_V4_CALLOUT")],
};

/// `EBPF_ATTACH_TYPE_CGROUP_INET6_RECV_ACCEPT`: recv_accept6.
pub static RECV_ACCEPT6: Hook = Hook {
    name: "recv_accept6",
    push_lock: "recv_accept6 push lock",
    attach_type: "BPF_CGROUP_INET6_RECV_ACCEPT",
    family: HookFamily::SockAddr,
    attach_capability: AttachCapability::SingleAttachPerHook,
    filters: &[filter("ALE_AUTH_RECV_ACCEPT_V6", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_AUTH_RECV_ACCEPT_V6_CALLOUT")],
};

/// The bind hook (its own provider, not sock_addr's): four filters, assignment first.
pub static BIND: Hook = Hook {
    name: "bind",
    push_lock: "bind push lock",
    attach_type: "BPF_ATTACH_TYPE_BIND",
    family: HookFamily::Bind,
    attach_capability: AttachCapability::SingleAttach,
    filters: &[
        filter("ALE_RESOURCE_ASSIGNMENT_V4", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_RESOURCE_ALLOC_V4_CALLOUT"),
        filter("ALE_RESOURCE_ASSIGNMENT_V6", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_RESOURCE_ALLOC_V6_CALLOUT"),
        filter("ALE_RESOURCE_RELEASE_V4", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_RESOURCE_RELEASE_V4_CALLOUT"),
        filter("ALE_RESOURCE_RELEASE_V6", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_RESOURCE_RELEASE_V6_CALLOUT"),
    ],
};

/// Every hook provider, in the order `net_ebpf_ext_register_providers` registers them and
/// `net_ebpf_ext_unregister_providers` deregisters them: bind, then sock_addr's
/// (`_ebpf_sock_addr_hook_provider_context`: INET4_CONNECT, INET4_RECV_ACCEPT,
/// INET6_CONNECT, INET6_RECV_ACCEPT).
pub static HOOKS: [&Hook; 5] = [&BIND, &CONNECT4, &RECV_ACCEPT4, &CONNECT6, &RECV_ACCEPT6];
