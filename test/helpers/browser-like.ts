/**
 * A minimal browser for sign-in flows over HTTP: follows redirects by hand and keeps cookies. Cookies are kept by
 * name for the host 127.0.0.1 (as a browser does, ports do not separate them); the tests' servers use distinct names.
 */
export class BrowserLike {
  readonly cookies = new Map<string, string>();
  /** Every URL visited, in order (redirects included). */
  readonly visited: string[] = [];

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** One request, no redirect following. */
  async request(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    this.visited.push(url);
    const res = await fetch(url, { method: init.method ?? "GET", redirect: "manual", headers: { cookie: this.cookieHeader(), ...init.headers }, ...(init.body !== undefined ? { body: init.body } : {}) });
    this.keep(res);
    return res;
  }

  /** Follows redirects (at most 15) and returns the last response and its URL. */
  async navigate(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ res: Response; url: string }> {
    let res = await this.request(url, init);
    for (let i = 0; i < 15 && res.status >= 300 && res.status < 400; i++) {
      url = new URL(res.headers.get("location")!, url).toString();
      res = await this.request(url);
    }
    return { res, url };
  }

  /** Submits the first form of an HTML page with the given fields (urlencoded, as a browser would). */
  async submitForm(pageUrl: string, html: string, fields: Record<string, string>): Promise<{ res: Response; url: string }> {
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
    if (!form) throw new Error(`no form in ${html.slice(0, 300)}`);
    const hidden = Object.fromEntries([...form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const body = new URLSearchParams({ ...hidden, ...fields }).toString();
    return this.navigate(new URL(form[1]!.replace(/&amp;/g, "&"), pageUrl).toString(), { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } });
  }
}
