/** The server-rendered pages of /connect/authorize: login, tenant choice, error. Pure string rendering. */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15);width:min(22rem,90vw)}
h1{font-size:1.25rem;margin:0 0 1rem}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
fieldset{border:0;padding:0;margin:0}legend{font-weight:600;margin-bottom:.5rem}.choice{display:flex;gap:.5rem;align-items:center;margin:.4rem 0}
.choice label{margin:0;font-weight:400}button{margin-top:1.25rem;width:100%;padding:.6rem;font-size:1rem;background:#1f5fbf;color:#fff;border:0;border-radius:4px;cursor:pointer}
p.error{color:#a4001d;background:#fde8ec;padding:.5rem;border-radius:4px}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · tenantgate</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

function hidden(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v as string)}">`)
    .join('\n');
}

function errorBlock(error: string | null): string {
  return error ? `<p class="error" role="alert" id="form-error">${escapeHtml(error)}</p>` : '';
}

export function renderLoginPage(input: { clientName: string; params: Record<string, string | undefined>; csrf: string; error: string | null; username?: string }): string {
  const describedBy = input.error ? ' aria-describedby="form-error"' : '';
  return page(
    'Sign in',
    `<h1>Sign in to ${escapeHtml(input.clientName)}</h1>
${errorBlock(input.error)}
<form method="post" action="authorize">
${hidden({ ...input.params, csrf: input.csrf, step: 'login' })}
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" required autofocus value="${escapeHtml(input.username ?? '')}"${describedBy}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${describedBy}>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function renderTenantChoice(input: { ticket: string; csrf: string; tenants: { id: string; displayName: string }[]; error: string | null; parameter: string }): string {
  const choices = input.tenants
    .map(
      (t, i) =>
        `<div class="choice"><input type="radio" id="tenant-${i}" name="${escapeHtml(input.parameter)}" value="${escapeHtml(t.id)}"${i === 0 ? ' required' : ''}>` +
        `<label for="tenant-${i}">${escapeHtml(t.displayName)} <small>(${escapeHtml(t.id)})</small></label></div>`,
    )
    .join('\n');
  return page(
    'Choose a tenant',
    `<h1>Choose a tenant</h1>
${errorBlock(input.error)}
<form method="post" action="authorize">
${hidden({ ticket: input.ticket, csrf: input.csrf, step: 'tenant' })}
<fieldset><legend>You are assigned to several tenants. Which one do you want to work in?</legend>
${choices}
</fieldset>
<button type="submit">Continue</button>
</form>`,
  );
}

export function renderErrorPage(message: string): string {
  return page('Sign-in error', `<h1>Sign-in cannot continue</h1><p class="error" role="alert">${escapeHtml(message)}</p>`);
}
