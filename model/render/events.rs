//! A counterexample's event log, as people read it: an interleaving table (a column per
//! thread, a row per event) and a Mermaid sequence diagram.

use crate::netebpfext::{Event, EventKind, Op};
use crate::wfp::faults::FaultKind;
use crate::wfp::{Actor, CallEvent, CallOk, EngineEvent, Target};

/// One row of a rendered log: who, and what, possibly standing for several events.
struct Line {
    actor: Actor,
    text: String,
    /// For a call: whether it failed (Mermaid draws the reply as a cross).
    failed: Option<bool>,
    request: Option<String>,
}

fn result_text(call: &CallEvent) -> String {
    let mut text = match call.result {
        Ok(CallOk::Done) => "ok".to_string(),
        Ok(CallOk::Opened(session)) => format!("ok, {session}"),
        Ok(CallOk::Added(filter)) => format!("ok, {filter}"),
        Err(status) => format!("{} {}", status.hex(), status.name()),
    };
    match call.fault {
        Some(FaultKind::FailsAfterEffect) => text.push_str(" (injected, after the call took effect)"),
        Some(_) => text.push_str(" (injected)"),
        None => {}
    }
    text
}

fn request_text(call: &CallEvent) -> String {
    // FwpmEngineOpen's session is its result, not an argument.
    let opened = matches!(call.result, Ok(CallOk::Opened(_)));
    let mut args: Vec<String> = call.session.iter().filter(|_| !opened).map(|s| s.to_string()).collect();
    match call.target {
        Target::None => {}
        Target::Key(key) => args.push(key.to_string()),
        Target::Filter(id) => args.push(id.to_string()),
        Target::NewFilter { layer, context } => args.push(format!("{layer}, context {context}")),
    }
    format!("{}({})", call.kind.api(), args.join(", "))
}

fn txn_text(actor: Actor, call: &CallEvent) -> String {
    use crate::wfp::CallKind::{TransactionAbort, TransactionBegin, TransactionCommit};
    let Some(txn) = call.txn else { return String::new() };
    let whose = if txn.began_by == actor { String::new() } else { format!(" of {}", txn.began_by) };
    match (call.kind, call.result.is_ok()) {
        (TransactionBegin, true) => format!(", opens {}", txn.id),
        (TransactionBegin, false) => format!(", {}{whose} is open", txn.id),
        (TransactionCommit | TransactionAbort, true) => format!(", ends {}{whose}", txn.id),
        _ => format!(", in {}{whose}", txn.id),
    }
}

fn op_text(op: &Op) -> String {
    op.to_string()
}

fn line(event: &Event) -> Line {
    let actor = event.actor;
    let plain = |text: String| Line { actor, text, failed: None, request: None };
    match &event.kind {
        EventKind::Engine(EngineEvent::Call(call)) => {
            let request = request_text(call);
            let reply = format!("{}{}", result_text(call), txn_text(actor, call));
            Line {
                actor,
                text: format!("{request} -> {reply}"),
                failed: Some(call.result.is_err()),
                request: Some(request),
            }
        }
        EventKind::Engine(EngineEvent::Wait { kind, session, holder, .. }) => {
            plain(format!("{}({session}) waits: {holder} holds the transaction lock", kind.api()))
        }
        EventKind::Engine(EngineEvent::Notify { filter, context }) => {
            plain(format!("notify: {filter} deleted (filter context {context})"))
        }
        EventKind::OpStart(op) => plain(format!("> {}", op_text(op))),
        EventKind::OpEnd { op, failure: None } => plain(format!("< {}: ok", op_text(op))),
        EventKind::OpEnd { op, failure: Some(failure) } => {
            let wfp = failure.wfp.map(|s| format!(" ({})", s.hex())).unwrap_or_default();
            plain(format!("< {}: failed, {}{wfp}, errno {}", op_text(op), failure.ebpf, failure.errno))
        }
        EventKind::ContextCreated { context, layers, .. } => {
            plain(format!("creates filter context {context} ({} filters to add)", layers.len()))
        }
        EventKind::ContextJoined { context, .. } => plain(format!("joins filter context {context}")),
        EventKind::ClientLeft { context, client, last: false, .. } => {
            plain(format!("client {client} leaves filter context {context} (other clients remain)"))
        }
        EventKind::ClientLeft { context, client, last: true, filters, .. } if filters.is_empty() => plain(format!(
            "client {client} leaves the provider's attached clients (filter context {context} was deleted first)"
        )),
        EventKind::ClientLeft { context, last: true, filters, .. } => {
            let filters: Vec<String> = filters.iter().map(|f| f.to_string()).collect();
            plain(format!("filter context {context} has no client left: delete {}", filters.join(", ")))
        }
        EventKind::ContextFreed { context } => plain(format!("filter context {context} freed")),
        EventKind::Lock { name, taken: true } => plain(format!("takes {name}")),
        EventKind::Lock { name, taken: false } => plain(format!("releases {name}")),
        EventKind::Hung { provider, contexts } => plain(format!(
            "waits for the {provider} provider's rundown forever: filter context{} {} never freed; unload stops here",
            if contexts.len() == 1 { "" } else { "s" },
            contexts.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
                + if contexts.len() == 1 { " is" } else { " are" }
        )),
        EventKind::Stopped => plain("(netebpfext stopped; it starts again)".to_string()),
        EventKind::StartUpIgnored { .. } => {
            plain("(DriverEntry goes on after the failed start-up: TODO #521)".to_string())
        }
        EventKind::Note(note) => plain(format!("({note})")),
    }
}

/// For the main thread's unload, which makes the same call on many objects: the call
/// and its result without what it named, so that a run of them folds into one line.
fn main_fold_key(event: &Event) -> Option<String> {
    match &event.kind {
        EventKind::Engine(EngineEvent::Call(call)) if event.actor == Actor::Main => {
            Some(format!("{} -> {}{}", call.kind.api(), result_text(call), txn_text(event.actor, call)))
        }
        _ => None,
    }
}

/// The lines to show: start-up folded into one line when it went well, runs of the
/// same call with the same result by the same thread folded into one (`x3`), and the
/// main thread's runs of one call on many objects folded too.
fn lines(events: &[Event]) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut index = 0;
    if let Some(end) = events.iter().position(|e| matches!(e.kind, EventKind::OpEnd { op: Op::Startup, failure: None }))
    {
        let calls = events[..end].iter().filter(|e| e.call().is_some()).count();
        out.push(Line {
            actor: Actor::Main,
            text: format!("start-up: {calls} WFP calls, all succeeded"),
            failed: None,
            request: None,
        });
        index = end + 1;
    }
    // Runs of the same line fold to `xN`; runs of the main thread's same call on
    // different objects (unload) fold to one line that says so.
    let mut repeats = 1;
    let mut last: Option<(String, Option<String>)> = None;
    let mut same_target = true;
    for event in &events[index..] {
        let next = line(event);
        let key = main_fold_key(event);
        let folds = out.last().is_some_and(|l| l.actor == next.actor)
            && last.as_ref().is_some_and(|(text, last_key)| *text == next.text || (key.is_some() && *last_key == key));
        if folds {
            repeats += 1;
            let shown = out.last_mut().expect("folds onto a line");
            same_target &= last.as_ref().is_some_and(|(text, _)| *text == next.text);
            if same_target {
                shown.text = format!("{} x{repeats}", next.text);
            } else {
                let folded = key.as_deref().unwrap_or(&next.text);
                shown.text = format!("{folded} (x{repeats}, each on another object)");
                shown.request = Some(folded_request(folded));
            }
            continue;
        }
        repeats = 1;
        same_target = true;
        last = Some((next.text.clone(), key));
        out.push(next);
    }
    out
}

/// The request part of a folded line, for Mermaid.
fn folded_request(text: &str) -> String {
    text.split_once(" -> ").map_or(text, |(request, _)| request).to_string()
}

fn actors(lines: &[Line]) -> Vec<Actor> {
    let mut actors: Vec<Actor> = lines.iter().map(|l| l.actor).filter(|a| *a != Actor::Main).collect();
    actors.sort();
    actors.dedup();
    actors.push(Actor::Main);
    actors
}

/// The interleaving table: a column per thread, a row per event, in order.
pub fn table(events: &[Event]) -> String {
    let lines = lines(events);
    let actors = actors(&lines);
    let mut header: Vec<String> = vec!["#".to_string()];
    header.extend(actors.iter().map(|a| a.to_string()));
    let rows: Vec<Vec<String>> = lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            let mut row = vec![(n + 1).to_string()];
            row.extend(actors.iter().map(|a| if *a == line.actor { line.text.clone() } else { String::new() }));
            row
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let draw = |out: &mut String, cells: &[String]| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        let line = padded.join("  ");
        out.push_str(line.trim_end());
        out.push('\n');
    };
    draw(&mut out, &header);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    draw(&mut out, &rule);
    for row in &rows {
        draw(&mut out, row);
    }
    out
}

/// A Mermaid sequence diagram of the log: each thread, and WFP as one participant.
pub fn mermaid(events: &[Event]) -> String {
    let lines = lines(events);
    let actors = actors(&lines);
    let mut out = String::from("sequenceDiagram\n");
    for actor in &actors {
        out.push_str(&format!("    participant {actor}\n"));
    }
    out.push_str("    participant WFP\n");
    for line in &lines {
        let text = line.text.replace(';', ",").replace('#', "no. ");
        match (&line.request, line.failed) {
            (Some(request), Some(failed)) => {
                let reply = text.split_once(" -> ").map(|(_, reply)| reply).unwrap_or("");
                let arrow = if failed { "--x" } else { "-->>" };
                out.push_str(&format!("    {}->>WFP: {}\n", line.actor, request.replace('#', "no. ")));
                out.push_str(&format!("    WFP{arrow}{}: {reply}\n", line.actor));
            }
            _ => {
                // A leading `<` would read as HTML to some Markdown renderers.
                let text = match (text.strip_prefix("> "), text.strip_prefix("< ")) {
                    (Some(op), _) => format!("starts {op}"),
                    (_, Some(op)) => format!("returns from {op}"),
                    _ => text,
                };
                out.push_str(&format!("    Note over {}: {text}\n", line.actor));
            }
        }
    }
    out
}
