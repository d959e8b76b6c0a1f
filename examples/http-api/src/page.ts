/**
 * The back-office page served at `/`: plain HTML and a little JS over the same API. Sign-in sets the
 * HttpOnly session cookie, so the script never sees the token; every later `fetch` sends the cookie.
 * It lists the tenant's invoices and, for the account picked, its ledger.
 */
export const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>erpkit back office</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #222 }
  table { border-collapse: collapse; margin: .5rem 0 1.5rem }
  th, td { border-bottom: 1px solid #ddd; padding: .25rem .75rem; text-align: left }
  td.amount { text-align: right; font-variant-numeric: tabular-nums }
  .error { color: #b00020 }
  [hidden] { display: none }
</style>
</head>
<body>
<h1>erpkit back office</h1>
<form id="sign-in">
  <label>E-mail <input name="email" type="email" required></label>
  <label>Password <input name="password" type="password" required></label>
  <button type="submit">Sign in</button>
  <p id="sign-in-error" class="error" role="alert"></p>
</form>
<main id="office" hidden>
  <p>Signed in as <b id="who"></b> (<span id="role"></span>). <a href="/docs">API reference</a></p>
  <h2>Invoices</h2>
  <table id="invoices">
    <thead><tr><th>Number</th><th>Status</th><th>Due</th><th>Total</th><th>Paid</th><th>Account</th></tr></thead>
    <tbody></tbody>
  </table>
  <h2>Ledger <small id="ledger-account"></small></h2>
  <table id="ledger">
    <thead><tr><th>#</th><th>Kind</th><th>Amount</th><th>Balance</th></tr></thead>
    <tbody></tbody>
  </table>
</main>
<script type="module">
const $ = (selector) => document.querySelector(selector)
const money = (minor) => (Number(minor) / 100).toFixed(2)
const cell = (text, className) => {
  const td = document.createElement("td")
  td.textContent = text
  if (className) td.className = className
  return td
}
const row = (cells) => { const tr = document.createElement("tr"); tr.append(...cells); return tr }

/** GET a JSON resource with the session cookie; an error body becomes a thrown message. */
async function get(path) {
  const response = await fetch(path)
  const body = await response.json()
  if (!response.ok) throw new Error(body.message ?? body.reason ?? body._tag)
  return body
}

async function showLedger(accountId) {
  $("#ledger-account").textContent = accountId
  const entries = await get("/billing/ledger?accountId=" + encodeURIComponent(accountId))
  $("#ledger tbody").replaceChildren(...entries.map((t) =>
    row([
      cell(String(t.sequence)), cell(t.kind), cell(money(t.amountMinor), "amount"),
      cell(money(t.runningBalanceMinor), "amount")
    ])))
}

async function showOffice() {
  const me = await get("/auth/me")
  $("#who").textContent = me.user.email
  $("#role").textContent = me.actor.roles.join(", ")
  const invoices = await get("/billing/invoices")
  $("#invoices tbody").replaceChildren(...invoices.map((i) => {
    const link = document.createElement("a")
    link.href = "#" + i.accountId
    link.textContent = "ledger"
    link.addEventListener("click", (event) => { event.preventDefault(); showLedger(i.accountId) })
    const account = cell(""); account.append(link)
    return row([
      cell(i.invoiceNumber), cell(i.status), cell(i.dueDate), cell(money(i.totalMinor), "amount"),
      cell(money(i.amountPaidMinor), "amount"), account
    ])
  }))
  $("#sign-in").hidden = true
  $("#office").hidden = false
  if (invoices.length > 0) await showLedger(invoices[0].accountId)
}

$("#sign-in").addEventListener("submit", async (event) => {
  event.preventDefault()
  const form = new FormData(event.target)
  const response = await fetch("/auth/sign-in", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: form.get("email"), password: form.get("password") })
  })
  if (!response.ok) { $("#sign-in-error").textContent = "Wrong e-mail or password."; return }
  await showOffice()
})

// a session cookie from an earlier sign-in: straight to the office
showOffice().catch(() => {})
</script>
</body>
</html>
`
