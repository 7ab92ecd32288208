import { describe, expect, it } from 'vitest';
import { htmlToText } from '#channels/email/html-to-text.ts';
import { splitReply } from '#channels/email/reply-text.ts';

describe('htmlToText', () => {
  it('puts blocks on their own lines and paragraphs apart', () => {
    expect(
      htmlToText('<p>Hello Emma,</p><p>the printer works again.</p><div>Regards</div><div>Max</div>'),
    ).toBe('Hello Emma,\n\nthe printer works again.\n\nRegards\nMax');
  });

  it('keeps line breaks and collapses source white space', () => {
    expect(htmlToText('<div>first   line\n   still first<br>second<br><br>after a blank</div>')).toBe(
      'first line still first\nsecond\n\nafter a blank',
    );
  });

  it('decodes entities, named and numeric', () => {
    expect(
      htmlToText('<p>5&nbsp;&lt;&nbsp;6 &amp;&amp; caf&eacute; &#8364; &#x1F600; &quot;q&quot;</p>'),
    ).toBe('5 < 6 && café € 😀 "q"');
  });

  it('writes links as text <url>, and once when the text is the address', () => {
    expect(
      htmlToText(
        '<p>See <a href="https://kb.example/vpn">the VPN guide</a>, <a href="https://kb.example/">kb.example</a> or <a href="mailto:help@acme.example">help@acme.example</a>.</p>',
      ),
    ).toBe('See the VPN guide <https://kb.example/vpn>, kb.example or help@acme.example.');
  });

  it('does not echo dangerous link targets', () => {
    expect(htmlToText('<a href="javascript:alert(1)">click</a>')).toBe('click');
  });

  it('writes lists with bullets and numbers, nested lists indented', () => {
    expect(
      htmlToText(
        '<ul><li>Laptop</li><li>Dock<ul><li>USB-C</li></ul></li></ul><ol start="3"><li>three</li><li>four</li></ol>',
      ),
    ).toBe('- Laptop\n- Dock\n  - USB-C\n3. three\n4. four');
  });

  it('marks block quotes with > so splitReply can find them', () => {
    const text = htmlToText(
      '<div>Works now, thanks!</div><div>On Mon, 4 Mar 2024, Max wrote:</div><blockquote type="cite"><div>Please restart.</div><blockquote>Printer is down.</blockquote></blockquote>',
    );

    expect(text).toBe(
      'Works now, thanks!\nOn Mon, 4 Mar 2024, Max wrote:\n> Please restart.\n> > Printer is down.',
    );
    expect(splitReply(text).reply).toBe('Works now, thanks!');
  });

  it('skips scripts, styles, the title and comments', () => {
    expect(
      htmlToText(
        '<html><head><title>Mail</title><style>p { color: red }</style></head><body><!-- hidden --><script>alert(1)</script><p>Visible</p></body></html>',
      ),
    ).toBe('Visible');
  });

  it('lays table rows out as lines and cells side by side', () => {
    expect(
      htmlToText('<table><tr><th>Host</th><th>State</th></tr><tr><td>db1</td><td>down</td></tr></table>'),
    ).toBe('Host State\ndb1 down');
  });

  it('keeps preformatted text as it is', () => {
    expect(htmlToText('<p>Log:</p><pre>ERROR  disk full\n  at /var</pre><p>end</p>')).toBe(
      'Log:\n\nERROR  disk full\n  at /var\n\nend',
    );
  });

  it('shows image alt text and horizontal rules', () => {
    expect(htmlToText('<p><img src="cid:x" alt="ACME logo"> Hi</p><hr><p>Below</p>')).toBe(
      '[ACME logo] Hi\n\n---\n\nBelow',
    );
  });

  it('copes with malformed markup', () => {
    expect(htmlToText('<div><p>unclosed <b>bold <i>both</div>after</u></table>')).toBe(
      'unclosed bold both\n\nafter',
    );
  });

  it('stops quickly at a flood of unclosed elements', () => {
    const started = performance.now();

    const text = htmlToText(`<p>kept</p>${'<blockquote><font>'.repeat(100_000)}lost`);

    expect(performance.now() - started).toBeLessThan(2000);
    expect(text).toBe('kept');
  });

  it('stays linear on a long run of text broken up by entities', () => {
    const started = performance.now();

    const text = htmlToText(`<p>${'x &amp; y '.repeat(200_000)}</p>`);

    expect(performance.now() - started).toBeLessThan(2000);
    expect(text.length).toBe('x & y '.repeat(200_000).trim().length);
  });

  it('gives an empty string for empty or markup-only input', () => {
    expect(htmlToText('')).toBe('');
    expect(htmlToText('<div><br><p></p></div>')).toBe('');
  });
});
