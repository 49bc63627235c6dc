/**
 * The one stylesheet of every page, served from /assets/foyer.css so the Content-Security-Policy needs no
 * inline styles. Readable on a phone, visible focus, enough contrast (WCAG AA).
 */
export const stylesheet = `
*,*::before,*::after{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#111827;background:#f3f4f6;line-height:1.5}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:1}
.skip:focus{left:1rem}
header,main,footer{max-width:30rem;margin:0 auto;padding:1rem 1.25rem}
header{display:flex;align-items:center;gap:.75rem;padding-top:2rem}
header img{max-height:2.5rem;max-width:10rem}
.brand{font-weight:600;font-size:1.1rem}
main{background:#fff;border-radius:.5rem;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:1.75rem 1.5rem}
main.wide{max-width:48rem}
body:has(main.wide) header,body:has(main.wide) footer{max-width:48rem}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 1rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=email],input[type=password],input[type=text],input[type=url],input[type=number],input[type=search],input[type=date],select,textarea{width:100%;font:inherit;padding:.55rem .7rem;border:1px solid #6b7280;border-radius:.375rem}
.hint{color:#4b5563;font-size:.9rem;margin:.25rem 0 0}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1.5rem}
button,.button{font:inherit;padding:.6rem 1.2rem;border-radius:.375rem;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:#1d4ed8}
button.link{background:none;border:none;color:#1d4ed8;padding:0;text-decoration:underline}
a{color:#1d4ed8}
:focus-visible{outline:3px solid #b45309;outline-offset:2px}
.error{border-left:4px solid #b91c1c;background:#fef2f2;color:#7f1d1d;padding:.6rem .8rem;margin:0 0 1rem}
.note{color:#4b5563}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem;margin:1rem 0}
dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
ul.permissions{padding-left:1.25rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-bottom:1px solid #e5e7eb;overflow-wrap:anywhere}
pre{white-space:pre-wrap;word-break:break-word;background:#f9fafb;padding:1rem;border:1px solid #e5e7eb}
iframe{width:100%;height:48rem;border:1px solid #d1d5db}
caption{text-align:left;font-weight:600;padding:.4rem 0}
form + form{margin-top:1rem}
img.qr{display:block;background:#fff;border:1px solid #e5e7eb}
ul.recovery-codes{columns:2;font-size:1.05rem;padding-left:1.25rem}
h2{font-size:1.1rem;margin:1.75rem 0 .25rem}
footer{color:#4b5563;font-size:.85rem;text-align:center}
.account{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.5rem;margin-bottom:.75rem;color:#4b5563}
.account form{margin:0}
nav.sections ul,ul.cards{list-style:none;padding:0;margin:0 0 1.25rem;display:flex;flex-wrap:wrap;gap:.25rem .75rem;border-bottom:1px solid #e5e7eb;padding-bottom:.5rem}
nav.sections a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
ul.cards{border:none}ul.cards a{display:inline-block;padding:.5rem .75rem;border:1px solid #d1d5db;border-radius:.375rem}
.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin-bottom:1rem}
.filters label{margin:0 0 .25rem}.filters>div{flex:1 1 12rem}
.scroll{overflow-x:auto}.scroll td,.scroll th{overflow-wrap:normal}.scroll td{min-width:6rem}
.notice{border-left:4px solid #047857;background:#ecfdf5;color:#064e3b;padding:.6rem .8rem;margin:0 0 1rem}
fieldset{border:1px solid #d1d5db;border-radius:.375rem;margin:1rem 0;padding:.5rem 1rem}
.check{display:flex;gap:.5rem;align-items:center;font-weight:400;margin:.5rem 0}
.pager{display:flex;gap:1rem;margin-top:1rem}
.secret{font-family:ui-monospace,monospace;background:#fef3c7;padding:.5rem;overflow-wrap:anywhere}
progress{width:100%;height:1.25rem;margin:.25rem 0 .5rem}
.intro{overflow-wrap:anywhere}
svg.chart{width:100%;height:auto;max-width:40rem}
svg.chart .bar{fill:#1d4ed8}svg.chart .axis{stroke:#6b7280}svg.chart .limit{stroke:#b91c1c;stroke-dasharray:6 4}
svg.chart text{font-size:11px;fill:#111827}
@media (max-width:40rem){main{border-radius:0;padding:1.25rem 1rem}header,main,footer{padding-left:1rem;padding-right:1rem}}
`;
