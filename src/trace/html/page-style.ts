/**
 * The diagram page's stylesheet (inlined in its <head>). Message types are
 * coloured by `.t-<type>`; a user protocol's types get theirs from the page
 * writer (typeColorStyle in src/trace/html.ts).
 */
export const STYLE = `
*{box-sizing:border-box}
html,body{margin:0;height:100%}
body{display:flex;flex-direction:column;font:12px/1.4 system-ui,"DejaVu Sans","Liberation Sans",sans-serif;color:#0f172a;background:#fff}
header{padding:8px 12px;border-bottom:1px solid #e2e8f0;background:#f8fafc}
h1{font-size:15px;margin:0 0 2px}
h2{font-size:12px;margin:0 0 4px;text-transform:uppercase;letter-spacing:.04em;color:#475569}
.summary{color:#475569}
.terms{margin-top:4px;color:#475569;display:flex;flex-wrap:wrap;gap:4px;align-items:center}
.termchip{border-width:2px;border-radius:10px;font-size:11px;padding:0 7px}
.termchip.stale{background:repeating-linear-gradient(45deg,#fff 0 4px,#fee2e2 4px 7px)}
.termchip .dot{display:inline-block;width:8px;height:8px;border-radius:4px;margin-right:4px}
.vsummary{margin-top:4px;color:#b91c1c;font-weight:600}
.controls{margin-top:6px;display:flex;flex-wrap:wrap;gap:12px;align-items:center}
.group{display:inline-flex;gap:6px;align-items:center;flex-wrap:wrap}
button{font:inherit;padding:1px 8px;border:1px solid #cbd5e1;border-radius:4px;background:#fff;cursor:pointer}
button:hover{background:#f1f5f9}
label{cursor:pointer;user-select:none;white-space:nowrap}
.filter{padding:1px 6px;border-radius:10px;border:1px solid currentColor}
.filter small{opacity:.75}
main{flex:1;display:flex;min-height:0}
#scroller{flex:1;overflow:auto;position:relative;outline:none}
#lanehead{position:sticky;top:0;z-index:3;height:34px;background:#fff;border-bottom:1px solid #e2e8f0}
#lanehead div{position:absolute;top:3px;transform:translateX(-50%);text-align:center;font-weight:700;font-size:13px}
#lanehead small{display:block;font-weight:400;font-size:10px;color:#64748b}
#lanehead div.client{color:#4338ca;font-style:italic}
#lanehead div.client small{color:#6366f1}
#lanehead div.aux{color:#94a3b8;font-weight:400}
#canvas{position:relative}
#diagram{position:absolute;left:0;top:0;overflow:visible}
aside{width:330px;border-left:1px solid #e2e8f0;padding:8px 10px;overflow:auto;background:#f8fafc}
aside section{margin-bottom:14px}
aside .legend div{margin:3px 0;display:flex;gap:6px;align-items:center;flex-wrap:wrap}
#detail-json{margin:4px 0 0;white-space:pre-wrap;word-break:break-word;font:11px/1.35 "DejaVu Sans Mono",monospace;background:#fff;border:1px solid #e2e8f0;padding:6px;min-height:40px}
.hint{color:#64748b;margin:0}
.sw{display:inline-block;width:14px;height:10px;border:1px solid #94a3b8}
.sw.crashed{background:#cbd5e1}.sw.paused{background:repeating-linear-gradient(45deg,#fff7ed 0 2px,#fb923c 2px 4px)}
.sw.partition{background:#dbeafe}.sw.cut{background:#ffedd5}.sw.burst{background:#fef9c3}
.sw.term{width:8px;background:#f59e0b;border-color:#d97706}.sw.stale{width:8px;background:repeating-linear-gradient(45deg,#f59e0b 0 3px,#b91c1c 3px 5px);border-color:#b91c1c}
.sw.apply{width:8px;height:8px;background:#059669;border:none}.sw.clientcol{background:#eef2ff;border-style:dashed}.sw.op{width:4px;background:#a5b4fc;border:none}
.dupbadge{font-size:9px;font-weight:700;color:#fff;background:#7c3aed;border-radius:3px;padding:0 3px}
.violation{position:absolute;left:0;height:0;border-top:2px solid #dc2626;z-index:2;pointer-events:none}
.violation span{position:absolute;right:8px;top:2px;max-width:70%;background:#fef2f2;color:#b91c1c;border:1px solid #dc2626;border-radius:4px;padding:2px 6px;font-weight:600;pointer-events:auto}
svg text{font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.lane{stroke:#94a3b8;stroke-width:1}
.lane.client{stroke:#818cf8;stroke-dasharray:5 4}
.lane.aux{stroke:#cbd5e1;stroke-dasharray:2 3}
.mark.config{color:#7c3aed;fill:#7c3aed}
.mark.discard{color:#94a3b8;stroke:#94a3b8}
.clientcol{fill:#eef2ff;opacity:.6}
.tick line{stroke:#e2e8f0}.tick text{fill:#64748b;font-size:10px;text-anchor:end}
.idle rect{fill:url(#zigzag)}.idle text{fill:#64748b;font-size:10px;text-anchor:middle;font-style:italic}
.crashed{fill:#cbd5e1;opacity:.8}.paused{fill:url(#hatch);opacity:.9}
.iv text{fill:#475569;font-size:10px}
.band rect{opacity:.55}.band text{font-size:10px;fill:#334155;text-anchor:end}
.band.partition rect{fill:#dbeafe}.band.cut rect{fill:#ffedd5}.band.burst rect{fill:#fef9c3}
.term{cursor:pointer}
.term .tint{fill:currentColor;opacity:.09;pointer-events:none}
.term .stripe{fill:currentColor;opacity:.6}
.term .stale{fill:url(#stale);opacity:.8}
.term .stale-tint{fill:#dc2626;opacity:.05;pointer-events:none}
.term .from{stroke:currentColor;stroke-width:2}
.term .stop{stroke:#0f172a;stroke-width:2.5}
.term text{font-size:10px;font-weight:700;fill:#1e293b}
.term text.stop{font-weight:400;fill:#475569;stroke:#fff;stroke-width:3px}
.term.selected .stripe{opacity:.9}
.op rect{fill:#a5b4fc;opacity:.8}.op.timeout rect{fill:#fca5a5}.op.open rect{fill:#cbd5e1}
.msg{cursor:pointer}
.msg .hit{stroke:transparent;stroke-width:9;fill:none;pointer-events:stroke}
.msg .ln{stroke:currentColor;stroke-width:1.4;fill:none}
.msg .hd{fill:currentColor}
.msg text{fill:currentColor}
.msg.dup .ln{stroke-dasharray:5 3}
.msg.dup .badge{fill:#7c3aed;stroke:none}
.msg.dup .badge+text{fill:#fff;stroke:none;font-size:8px;font-weight:700}
.msg.drop .ln{stroke-dasharray:2 2;opacity:.75}
.msg.drop .x{stroke:#dc2626;stroke-width:2}
.msg:hover .ln,.msg.selected .ln{stroke-width:3}
.msg.selected text{font-weight:700}
.t-prepare{color:#2563eb}.t-promise{color:#0891b2}.t-accept{color:#7c3aed}.t-accepted{color:#059669}
.t-nack{color:#d97706}.t-catchup{color:#64748b}.t-decided{color:#be185d}.t-unknown{color:#334155}
.t-commit{color:#be185d}.t-heartbeat{color:#a8a29e}.t-request{color:#4f46e5}.t-reply{color:#0d9488}.t-redirect{color:#ea580c}
.mark{cursor:pointer}
.mark text{font-size:11px}
.mark.propose circle{fill:#0f172a}.mark.propose text{font-weight:700}
.mark.adopt circle{fill:#fff;stroke:#0f172a;stroke-width:1.5}
.mark.promise circle{fill:#0891b2}.mark.accept rect{fill:#7c3aed}
.mark.learn text.star{fill:#ca8a04;font-size:16px}.mark.learn text{fill:#854d0e;font-weight:700}
.mark.learn.slots text.star{font-size:12px}
.mark.timer circle{fill:#fff;stroke:#94a3b8}
.mark.lost text,.mark.lost path{fill:#dc2626;stroke:#dc2626}
.mark.drift text{fill:#92400e}
.mark.leader path{fill:currentColor;stroke:#0f172a;stroke-width:.8}.mark.leader text{font-weight:700;fill:#0f172a}
.mark.apply rect{fill:#059669}.mark.apply text{fill:#065f46;font-size:10px}.mark.apply.dupe rect{fill:#7c3aed}
.mark.invoke path{fill:#4f46e5}.mark.invoke text{fill:#3730a3}
.mark.complete circle{fill:#0d9488}.mark.complete text{fill:#115e59}
.mark.optimeout path{stroke:#dc2626;stroke-width:2.2}.mark.optimeout text{fill:#b91c1c;font-weight:700}
.mark.observation path{fill:#0f766e;stroke:#fff;stroke-width:.8}.mark.observation text{fill:#134e4a}
.chosen line{stroke:#059669;stroke-width:1.5;stroke-dasharray:6 3}.chosen text{fill:#047857;font-weight:700}
.chosen.slot line{stroke-width:1;opacity:.7}.chosen.slot text{font-size:10px}
.culprit .ln,.culprit circle,.culprit rect,.culprit line,.culprit path{stroke:#dc2626!important;stroke-width:3!important}
.culprit text{fill:#dc2626!important}
`;

/** The message types {@link STYLE} colours (`.t-prepare{color:…}`): keep in step with it. */
export const STYLED_TYPES: ReadonlySet<string> = new Set(['prepare', 'promise', 'accept', 'accepted', 'nack', 'catchup', 'decided', 'unknown', 'commit', 'heartbeat', 'request', 'reply', 'redirect']);
