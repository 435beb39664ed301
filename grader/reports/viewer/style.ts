/**
 * The trace viewer's CSS: the space-time diagram, the stepper, the state panel and the selected
 * table row. Joined to the report's own CSS into the page's one inline style (allowed by hash).
 * Message types are coloured by class (`.mt0` … `.mt11`), one palette for light and one for dark.
 */
export const viewerStyle = `
:root { --mt0: #1a56db; --mt1: #c2410c; --mt2: #047857; --mt3: #7e22ce; --mt4: #be123c; --mt5: #0e7490;
  --mt6: #a16207; --mt7: #4d7c0f; --mt8: #9d174d; --mt9: #4338ca; --mt10: #b45309; --mt11: #475569;
  --lane: #98a2b3; --selected: #dbeafe; --band-partition: rgba(202, 138, 4, .14); --band-cut: rgba(126, 34, 206, .12);
  --band-crashed: rgba(100, 116, 139, .16); --band-network: rgba(26, 86, 219, .08); }
@media (prefers-color-scheme: dark) { :root { --mt0: #8ab4f8; --mt1: #fdba74; --mt2: #6ee7b7; --mt3: #d8b4fe; --mt4: #fda4af;
  --mt5: #67e8f9; --mt6: #fde047; --mt7: #bef264; --mt8: #f9a8d4; --mt9: #a5b4fc; --mt10: #fcd34d; --mt11: #cbd5e1;
  --lane: #667085; --selected: #1e3a5f; --band-partition: rgba(250, 204, 21, .12); --band-cut: rgba(216, 180, 254, .12);
  --band-crashed: rgba(203, 213, 225, .12); --band-network: rgba(138, 180, 248, .08); } }
.mt0 { color: var(--mt0); } .mt1 { color: var(--mt1); } .mt2 { color: var(--mt2); } .mt3 { color: var(--mt3); }
.mt4 { color: var(--mt4); } .mt5 { color: var(--mt5); } .mt6 { color: var(--mt6); } .mt7 { color: var(--mt7); }
.mt8 { color: var(--mt8); } .mt9 { color: var(--mt9); } .mt10 { color: var(--mt10); } .mt11 { color: var(--mt11); }
.viewer:focus { outline: none; }
.viewer:focus-visible { outline: 2px solid var(--info); outline-offset: 4px; border-radius: 4px; }
.viewer-main { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; align-items: stretch; }
.diagram-pane { flex: 3 1 520px; min-width: 0; position: relative; }
.diagram-toolbar { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; margin-bottom: 4px; font-size: 13px; }
.diagram-toolbar .legend { display: flex; flex-wrap: wrap; gap: 2px 10px; }
.legend-item { white-space: nowrap; }
.legend-item::before { content: ""; display: inline-block; width: 14px; height: 3px; margin: 0 4px 3px 0; background: currentColor; vertical-align: middle; }
.diagram-header { overflow: hidden; border: 1px solid var(--line); border-bottom: 0; border-radius: 6px 6px 0 0; background: var(--soft); }
.diagram-header svg { display: block; }
.diagram-header text { fill: var(--fg); font-size: 12px; font-weight: 600; }
.diagram-header text.role { fill: var(--muted); font-weight: 400; font-size: 11px; }
.diagram-box { height: 60vh; min-height: 280px; overflow: auto; border: 1px solid var(--line); border-radius: 0 0 6px 6px; cursor: grab; background: var(--bg); }
.diagram-box.dragging { cursor: grabbing; user-select: none; }
svg.diagram { display: block; }
svg.diagram text { font-size: 11px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
.diagram .lane-line { stroke: var(--lane); stroke-width: 1.5; }
.diagram .crash-gap { stroke: var(--fail); stroke-width: 1.5; stroke-dasharray: 3 5; opacity: .7; }
.diagram .time-label { fill: var(--muted); font-variant-numeric: tabular-nums; }
.diagram .time-grid { stroke: var(--line); stroke-width: 1; }
.diagram .message { cursor: pointer; }
.diagram .message .arrow { stroke: currentColor; stroke-width: 1.4; fill: none; }
.diagram .message .hit { stroke: transparent; stroke-width: 9; fill: none; }
.diagram .message .head { fill: currentColor; }
.diagram .message .message-label { fill: currentColor; }
.diagram .message.duplicate .arrow, .diagram .message.in-flight .arrow { stroke-dasharray: 5 3; }
.diagram .message.dropped .arrow { stroke-dasharray: 2 3; }
.diagram .message:hover .arrow, .diagram .message.selected .arrow { stroke-width: 3; }
.diagram .message.selected .message-label { font-weight: 700; }
.diagram .drop-mark { stroke: var(--fail); stroke-width: 2.2; fill: none; }
.diagram .duplicate-mark circle { fill: var(--bg); stroke: currentColor; stroke-width: 1.2; }
.diagram .duplicate-mark text { fill: currentColor; font-size: 9px; }
.diagram .timer-tick { stroke: var(--muted); stroke-width: 1.5; fill: var(--muted); }
.diagram .timer-tick.cancel { opacity: .45; }
.diagram .event-mark { fill: var(--muted); stroke: none; cursor: pointer; }
.diagram .event-mark.crash { fill: var(--fail); }
.diagram .event-mark.restart { fill: var(--pass); }
.diagram .fault-line { stroke: var(--warn); stroke-width: 1; stroke-dasharray: 6 4; }
.diagram .fault-label { fill: var(--warn); }
.diagram .output-badge { cursor: pointer; }
.diagram .output-badge rect { fill: var(--pass-bg); stroke: var(--pass); stroke-width: 1; }
.diagram .output-badge text { fill: var(--pass); font-size: 10px; }
.diagram rect.band { stroke: none; }
.diagram rect.band.partition { fill: var(--band-partition); }
.diagram rect.band.cut { fill: var(--band-cut); }
.diagram rect.band.crashed { fill: var(--band-crashed); }
.diagram rect.band.network { fill: var(--band-network); }
.diagram .band-label { fill: var(--muted); font-size: 10px; }
.diagram .violation-mark line { stroke: var(--fail); stroke-width: 2; }
.diagram .violation-mark circle { fill: var(--fail); stroke: var(--bg); stroke-width: 2; }
.diagram .violation-mark text { fill: var(--fail); font-weight: 700; }
section.demonstration .diagram .violation-mark line { stroke: var(--info); }
section.demonstration .diagram .violation-mark circle { fill: var(--info); }
section.demonstration .diagram .violation-mark text { fill: var(--info); }
.diagram .cursor line { stroke: var(--info); stroke-width: 1; stroke-dasharray: 2 2; }
.diagram .cursor circle { fill: none; stroke: var(--info); stroke-width: 2; }
.message-details { position: absolute; z-index: 3; max-width: 420px; max-height: 240px; overflow: auto; padding: 6px 8px; font-size: 12px;
  background: var(--bg); border: 1px solid var(--line); border-radius: 6px; box-shadow: 0 2px 8px rgba(0, 0, 0, .18); white-space: pre-wrap; overflow-wrap: anywhere; pointer-events: none;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
.state-panel { flex: 2 1 320px; min-width: 0; max-height: calc(60vh + 60px); overflow: auto; border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; font-size: 13px; }
.state-panel h4 { margin: 8px 0 4px; font-size: 13px; }
.node-state { border-bottom: 1px solid var(--line); padding: 2px 0 6px; }
.node-state:last-of-type { border-bottom: 0; }
.node-state .status { font-weight: 400; color: var(--muted); }
.node-state .status.down { color: var(--fail); }
.node-state .part { color: var(--muted); font-size: 12px; margin-top: 2px; }
.state-tree { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12px; }
.state-tree .field { padding-left: 14px; }
.state-tree summary { margin-left: -12px; cursor: pointer; }
.state-tree .key { color: var(--muted); }
.state-tree .value { overflow-wrap: anywhere; }
.state-tree .field.changed > .value, .state-tree .field.changed > summary { background: var(--mark); outline: 1px solid var(--warn); border-radius: 2px; }
.state-tree .field.changed-inside > summary .key { color: var(--warn); font-weight: 600; }
ul.in-flight { list-style: none; margin: 0; padding: 0; font-size: 12px; }
ul.in-flight li { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; overflow-wrap: anywhere; }
ul.in-flight .type { font-weight: 600; }
.stepper { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; margin: 6px 0; }
.stepper .step-slider { flex: 1 1 240px; accent-color: var(--info); }
.stepper .position { font-size: 13px; color: var(--muted); font-variant-numeric: tabular-nums; }
.current-event { margin: 4px 0 8px; padding: 6px 10px; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; font-size: 12px;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 160px; overflow: auto; }
.viewer-hint { font-size: 12px; }
/* The page's script draws only the rows near the table's visible part, between spacer rows:
   fixed columns keep them from changing width as rows come and go. */
.trace-wrap { overflow-anchor: none; }
table.events { table-layout: fixed; min-width: 900px; }
table.events th:nth-child(1) { width: 4.5em; } table.events th:nth-child(2) { width: 5.5em; }
table.events th:nth-child(3), table.events th:nth-child(4) { width: 3.5em; } table.events th:nth-child(5) { width: 7em; }
table.events th:nth-child(6) { width: 16%; } table.events th:nth-child(8) { width: 14%; }
table.events td { overflow-wrap: anywhere; }
table.events tr.spacer td { padding: 0; border: 0; }
tr.selected td { background: var(--selected); }
tr.selected td:first-child { box-shadow: inset 3px 0 0 var(--info); }
table.events tbody tr { cursor: pointer; }
ol.path a { text-decoration: none; }
ol.path a:hover code { text-decoration: underline; }
`;
