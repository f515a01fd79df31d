//! netebpfext's hook providers and the WFP objects they name.
//!
//! Keys are the GUID names of the real code. Filter lists follow the code at the time of
//! the #3728 failure (upstream `netebpfext/net_ebpf_ext_sock_addr.c`, commit 06533c8d): connect4 and connect6 add two filters
//! each. Later code added a third connect4 filter (at `ALE_CONNECT_REDIRECT_V6`); the
//! model does not. Which sublayer each connect filter names is an assumption: it changes
//! no rule the model checks beyond W13's "the sublayer exists".

pub const PROVIDER: &str = "EBPF_WFP_PROVIDER";
pub const DEFAULT_SUBLAYER: &str = "EBPF_DEFAULT_SUBLAYER";
pub const CGROUP_CONNECT_V4_SUBLAYER: &str = "EBPF_HOOK_CGROUP_CONNECT_V4_SUBLAYER";
pub const CGROUP_CONNECT_V6_SUBLAYER: &str = "EBPF_HOOK_CGROUP_CONNECT_V6_SUBLAYER";

/// The sublayers start-up adds, in order.
pub const SUBLAYERS: [&str; 3] = [DEFAULT_SUBLAYER, CGROUP_CONNECT_V4_SUBLAYER, CGROUP_CONNECT_V6_SUBLAYER];

/// One filter a hook adds for each filter context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterTemplate {
    pub layer: &'static str,
    pub sublayer: &'static str,
    pub callout: &'static str,
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
    pub filters: &'static [FilterTemplate],
}

const fn filter(layer: &'static str, sublayer: &'static str, callout: &'static str) -> FilterTemplate {
    FilterTemplate { layer, sublayer, callout }
}

pub static CONNECT4: Hook = Hook {
    name: "connect4",
    push_lock: "connect4 push lock",
    attach_type: "BPF_CGROUP_INET4_CONNECT",
    filters: &[
        filter("ALE_AUTH_CONNECT_V4", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_AUTH_CONNECT_V4_CALLOUT"),
        filter("ALE_CONNECT_REDIRECT_V4", CGROUP_CONNECT_V4_SUBLAYER, "EBPF_HOOK_ALE_CONNECT_REDIRECT_V4_CALLOUT"),
    ],
};

pub static CONNECT6: Hook = Hook {
    name: "connect6",
    push_lock: "connect6 push lock",
    attach_type: "BPF_CGROUP_INET6_CONNECT",
    filters: &[
        filter("ALE_AUTH_CONNECT_V6", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_AUTH_CONNECT_V6_CALLOUT"),
        filter("ALE_CONNECT_REDIRECT_V6", CGROUP_CONNECT_V6_SUBLAYER, "EBPF_HOOK_ALE_CONNECT_REDIRECT_V6_CALLOUT"),
    ],
};

pub static RECV_ACCEPT4: Hook = Hook {
    name: "recv_accept4",
    push_lock: "recv_accept4 push lock",
    attach_type: "BPF_CGROUP_INET4_RECV_ACCEPT",
    filters: &[filter("ALE_AUTH_RECV_ACCEPT_V4", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_AUTH_RECV_ACCEPT_V4_CALLOUT")],
};

pub static RECV_ACCEPT6: Hook = Hook {
    name: "recv_accept6",
    push_lock: "recv_accept6 push lock",
    attach_type: "BPF_CGROUP_INET6_RECV_ACCEPT",
    filters: &[filter("ALE_AUTH_RECV_ACCEPT_V6", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_AUTH_RECV_ACCEPT_V6_CALLOUT")],
};

/// The bind hook (its own provider, not sock_addr's): four filters.
pub static BIND: Hook = Hook {
    name: "bind",
    push_lock: "bind push lock",
    attach_type: "BPF_ATTACH_TYPE_BIND",
    filters: &[
        filter("ALE_RESOURCE_ASSIGNMENT_V4", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_RESOURCE_ALLOC_V4_CALLOUT"),
        filter("ALE_RESOURCE_RELEASE_V4", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_RESOURCE_RELEASE_V4_CALLOUT"),
        filter("ALE_RESOURCE_ASSIGNMENT_V6", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_RESOURCE_ALLOC_V6_CALLOUT"),
        filter("ALE_RESOURCE_RELEASE_V6", DEFAULT_SUBLAYER, "EBPF_HOOK_ALE_RESOURCE_RELEASE_V6_CALLOUT"),
    ],
};

/// Every hook provider, in the order start-up registers their callouts.
pub static HOOKS: [&Hook; 5] = [&CONNECT4, &CONNECT6, &RECV_ACCEPT4, &RECV_ACCEPT6, &BIND];

/// Every callout, each once, in registration order.
pub fn callouts() -> Vec<&'static str> {
    let mut callouts: Vec<&'static str> = Vec::new();
    for filter in HOOKS.iter().flat_map(|h| h.filters) {
        if !callouts.contains(&filter.callout) {
            callouts.push(filter.callout);
        }
    }
    callouts
}
