// A small browser stand-in over fetch: a cookie jar (name, path, host-only),
// redirects followed by hand so each hop can be checked, and form reading.

export class Browser {
    constructor() {
        // host -> Map(name -> { value, path })
        this.jar = new Map();
        this.trace = [];
    }

    cookiesFor(url) {
        const u = new URL(url);
        const cookies = this.jar.get(u.host) ?? new Map();
        const out = [];
        for (const [name, c] of cookies) {
            if (u.pathname === c.path || u.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/') {
                out.push(`${name}=${c.value}`);
            }
        }
        return out.join('; ');
    }

    cookie(url, name) {
        return this.jar.get(new URL(url).host)?.get(name);
    }

    store(url, response) {
        const u = new URL(url);
        const host = u.host;
        if (!this.jar.has(host)) this.jar.set(host, new Map());
        const cookies = this.jar.get(host);
        for (const line of response.headers.getSetCookie()) {
            const [pair, ...attrs] = line.split(';');
            const eq = pair.indexOf('=');
            const name = pair.slice(0, eq).trim();
            const value = pair.slice(eq + 1).trim();
            let path = u.pathname.replace(/\/[^/]*$/, '') || '/';
            let expired = false;
            const flags = {};
            for (const attr of attrs) {
                const [k, v = ''] = attr.split('=');
                const key = k.trim().toLowerCase();
                flags[key] = v.trim();
                if (key === 'path') path = v.trim() || '/';
                if (key === 'max-age' && Number(v) <= 0) expired = true;
                if (key === 'expires' && Date.parse(v) < Date.now()) expired = true;
            }
            if (expired || value === '') {
                cookies.delete(name);
            } else {
                cookies.set(name, { value, path, flags });
            }
        }
    }

    async request(url, { method = 'GET', body, headers = {} } = {}) {
        const cookie = this.cookiesFor(url);
        const init = {
            method,
            redirect: 'manual',
            headers: { ...headers, ...(cookie ? { cookie } : {}) },
        };
        if (body !== undefined) {
            init.body = body instanceof URLSearchParams ? body.toString() : body;
            if (body instanceof URLSearchParams) init.headers['content-type'] = 'application/x-www-form-urlencoded';
        }
        const response = await fetch(url, init);
        this.store(url, response);
        const text = await response.text();
        const location = response.headers.get('location');
        const hop = {
            method,
            url,
            status: response.status,
            location: location ? new URL(location, url).toString() : null,
            headers: response.headers,
            text,
        };
        this.trace.push(hop);
        return hop;
    }

    // GET `url`, then follow redirects while `follow(hop)` says so (at most 20).
    async go(url, { follow = () => true, ...options } = {}) {
        let hop = await this.request(url, options);
        for (let i = 0; i < 20 && hop.location && hop.status >= 300 && hop.status < 400 && follow(hop); i++) {
            hop = await this.request(hop.location);
        }
        return hop;
    }

    describeTrace() {
        return this.trace
            .map((h) => `${h.method} ${h.url} -> ${h.status}${h.location ? ` ${h.location}` : ''}`)
            .join('\n');
    }
}

// The first form's action (absolute) in an HTML page.
export function formAction(html, base) {
    const m = html.match(/<form[^>]*action="([^"]*)"/i);
    if (!m) throw new Error(`no form in the page:\n${html.slice(0, 2000)}`);
    return new URL(m[1].replace(/&amp;/g, '&'), base).toString();
}
