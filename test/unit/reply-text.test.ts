import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { htmlToText } from '#channels/email/html-to-text.ts';
import { splitHtmlReply, splitReply } from '#channels/email/reply-text.ts';
import { sanitizeMailHtml } from '#channels/email/sanitize-html.ts';

const lines = (...l: string[]) => l.join('\n');

/** Nothing lost: reply is a prefix, quoted a suffix, only white space between them. */
function expectLossless(text: string, { reply, quoted }: { reply: string; quoted: string }) {
  expect(text.startsWith(reply)).toBe(true);
  expect(text.endsWith(quoted)).toBe(true);
  expect(reply.length + quoted.length).toBeLessThanOrEqual(text.length);
  expect(text.slice(reply.length, text.length - quoted.length).trim()).toBe('');
  if (quoted === '') expect(reply).toBe(text);
}

describe('splitReply on real-world replies', () => {
  it.each([
    [
      'Gmail, English, attribution wrapped over two lines',
      lines(
        'Thanks, the VPN works again.',
        '',
        'On Mon, Mar 4, 2024 at 10:02 AM Spoke Service Desk <support@acme.example>',
        'wrote:',
        '',
        '> Hello Emma,',
        '>',
        '> please reconnect and tell us whether it works.',
        '>',
      ),
      'Thanks, the VPN works again.',
      'On Mon, Mar 4, 2024 at 10:02 AM',
    ],
    [
      'Gmail, German',
      lines(
        'Danke, geht wieder.',
        '',
        'Am Mo., 4. März 2024 um 10:02 Uhr schrieb Spoke Service Desk <',
        'support@acme.example>:',
        '',
        '> Hallo Emma,',
        '> bitte neu verbinden.',
      ),
      'Danke, geht wieder.',
      'Am Mo., 4. März 2024',
    ],
    [
      'Gmail, French (non-breaking space before the colon)',
      lines(
        'Merci, ça marche.',
        '',
        'Le lun. 4 mars 2024 à 10:02, Spoke <support@acme.example> a écrit\u00a0:',
        '',
        '> Bonjour Emma,',
      ),
      'Merci, ça marche.',
      'Le lun. 4 mars 2024',
    ],
    [
      'Gmail, Spanish',
      lines(
        'Gracias.',
        '',
        'El lun, 4 mar 2024 a las 10:02, Spoke (<support@acme.example>) escribió:',
        '> Hola',
      ),
      'Gracias.',
      'El lun, 4 mar 2024',
    ],
    [
      'Apple Mail from an iPhone, attribution inside the quote',
      lines(
        'Yes, please go ahead.',
        '',
        'Sent from my iPhone',
        '',
        '> On 4 Mar 2024, at 10:02, Spoke Service Desk <support@acme.example> wrote:',
        '> ',
        '> Can we restart the server tonight?',
      ),
      'Yes, please go ahead.\n\nSent from my iPhone',
      '> On 4 Mar 2024',
    ],
    [
      'Thunderbird, English',
      lines(
        'Attached is the log.',
        '',
        'On 04.03.24 10:02, Spoke Service Desk wrote:',
        '> Could you send the log file?',
        '>',
        '> Spoke Service Desk',
      ),
      'Attached is the log.',
      'On 04.03.24 10:02',
    ],
    [
      'Thunderbird, German, with a signature above the quote',
      lines(
        'Anbei das Protokoll.',
        '',
        '-- ',
        'Emma Schmidt',
        'ACME GmbH',
        '',
        'Am 04.03.24 um 10:02 schrieb Spoke Service Desk:',
        '> Könnten Sie das Protokoll schicken?',
      ),
      'Anbei das Protokoll.',
      '-- \nEmma Schmidt',
    ],
    [
      'Outlook desktop, English',
      lines(
        'Done, thanks.',
        '',
        'Emma',
        '',
        '-----Original Message-----',
        'From: Spoke Service Desk <support@acme.example>',
        'Sent: Monday, March 4, 2024 10:02 AM',
        'To: Emma Smith <emma@acme.example>',
        'Subject: [INC0001042] VPN',
        '',
        'Please reconnect.',
      ),
      'Done, thanks.\n\nEmma',
      '-----Original Message-----',
    ],
    [
      'Outlook on the web, German, underscore separator',
      lines(
        'Erledigt.',
        '',
        '________________________________',
        'Von: Spoke Service Desk <support@acme.example>',
        'Gesendet: Montag, 4. März 2024 10:02',
        'An: Emma Schmidt <emma@acme.example>',
        'Betreff: [INC0001042] VPN',
        '',
        'Bitte neu verbinden.',
      ),
      'Erledigt.',
      '________________________________\nVon:',
    ],
    [
      'Outlook, French header block without separator',
      lines(
        "C'est fait.",
        '',
        'De : Spoke Service Desk <support@acme.example>',
        'Envoyé : lundi 4 mars 2024 10:02',
        'À : Emma Martin <emma@acme.example>',
        'Objet : [INC0001042] VPN',
        '',
        'Merci de vous reconnecter.',
      ),
      "C'est fait.",
      'De : Spoke',
    ],
    [
      'Outlook for iOS, bold-less header block after "Get Outlook"',
      lines(
        'Will do.',
        '',
        'Get Outlook for iOS',
        '________________________________',
        'From: Spoke Service Desk <support@acme.example>',
        'Sent: Monday, March 4, 2024 10:02:11 AM',
        'To: Emma Smith <emma@acme.example>',
        'Subject: VPN',
        '',
        'Please reconnect.',
      ),
      'Will do.\n\nGet Outlook for iOS',
      '________________________________',
    ],
    [
      'Gmail forward with a comment',
      lines(
        'Can you look at this?',
        '',
        '---------- Forwarded message ---------',
        'From: Monitoring <alerts@acme.example>',
        'Date: Mon, Mar 4, 2024 at 9:58 AM',
        'Subject: disk full on db1',
        'To: <emma@acme.example>',
        '',
        'db1: /var is 100% full',
      ),
      'Can you look at this?',
      '---------- Forwarded message',
    ],
  ])('%s', (_, text, reply, quotedStart) => {
    const split = splitReply(text);

    expect(split.reply).toBe(reply);
    expect(split.quoted.startsWith(quotedStart)).toBe(true);
    expectLossless(text, split);
  });

  it('returns a mail without history whole', () => {
    const text = 'My screen flickers since this morning.\nModel: X1\n';

    expect(splitReply(text)).toEqual({ reply: text, quoted: '' });
  });

  it('keeps answers written between the quotes in the reply', () => {
    const text = lines(
      'On Mon, 4 Mar 2024, Max wrote:',
      '> Which model?',
      'X1 Carbon.',
      '> Since when?',
      'Since Friday.',
    );

    expect(splitReply(text)).toEqual({ reply: text, quoted: '' });
  });

  it('cuts only the trailing quote after an interleaved answer', () => {
    const text = lines('> Which model?', 'X1 Carbon.', '', 'On Mon, Max wrote:', '> old', '> older');

    expect(splitReply(text)).toEqual({
      reply: '> Which model?\nX1 Carbon.',
      quoted: 'On Mon, Max wrote:\n> old\n> older',
    });
  });

  it('keeps a bare forward whole, so the forwarded text is what is shown', () => {
    const text = lines(
      '-----Original Message-----',
      'From: a@x',
      'Sent: today',
      'To: b@x',
      '',
      'The printer is down.',
    );

    expect(splitReply(text)).toEqual({ reply: text, quoted: '' });
  });

  it('does not take an ordinary "From:" line for a header block', () => {
    const text = 'From: my office PC I cannot print.\nTo be clear: since Monday.';

    expect(splitReply(text)).toEqual({ reply: text, quoted: '' });
  });

  it('moves the signature to quoted', () => {
    expect(splitReply('Thanks!\n--\nEmma\n+49 30 1234')).toEqual({
      reply: 'Thanks!',
      quoted: '--\nEmma\n+49 30 1234',
    });
  });

  it('handles CRLF line ends', () => {
    const text = 'Works.\r\n\r\nOn Mon, Max wrote:\r\n> old\r\n';

    expect(splitReply(text)).toEqual({ reply: 'Works.', quoted: 'On Mon, Max wrote:\r\n> old\r\n' });
  });
});

describe('splitReply loses nothing', () => {
  const line = fc.oneof(
    fc.constantFrom(
      '',
      ' ',
      '> quoted',
      '>',
      ' > indented quote',
      '-- ',
      '--',
      'On Mon, 4 Mar 2024, Max <max@x> wrote:',
      'Am 4. März schrieb Max:',
      'Le 4 mars, Max a écrit :',
      'El 4 mar, Max escribió:',
      '-----Original Message-----',
      '________________________________',
      'From: Max <max@x>',
      'Sent: Monday',
      'Date: Monday',
      'To: Emma',
      'Subject: hi',
      'Von: Max',
      'Gesendet: Montag',
      'Betreff: hi',
      'Begin forwarded message:',
      'wrote:',
      'Thanks',
      '\r',
    ),
    fc.string({ maxLength: 20 }),
  );
  const message = fc.array(line, { maxLength: 30 }).map((l) => l.join('\n'));

  it('on messages made of reply-ish lines', () => {
    fc.assert(
      fc.property(message, (text) => {
        expectLossless(text, splitReply(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expectLossless(text, splitReply(text));
      }),
      { numRuns: 2000 },
    );
  });
});

const words = (html: string) => htmlToText(html).split(/\s+/).filter(Boolean);

describe('splitHtmlReply', () => {
  const safe = (html: string) => sanitizeMailHtml(html).html;

  it('cuts a Gmail reply at div.gmail_quote', () => {
    const html = safe(
      '<div dir="ltr">Thanks, works now.<br clear="all"><div><br></div>-- <br><div dir="ltr" class="gmail_signature">Emma</div></div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">On Mon, Mar 4, 2024 at 10:02 AM Spoke &lt;support@acme.example&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">Please reconnect.</blockquote></div>',
    );

    const { reply, quoted } = splitHtmlReply(html);

    expect(htmlToText(reply)).toBe('Thanks, works now.\n\n--\nEmma');
    expect(htmlToText(quoted)).toMatch(/^On Mon, Mar 4, 2024 .* wrote:\n> Please reconnect\.$/);
  });

  it('cuts an Apple Mail reply at blockquote type=cite, closing and reopening the wrappers', () => {
    const html = safe(
      '<html><body><div dir="auto">Yes, go ahead.<br><br><div dir="ltr">Sent from my iPhone</div><div dir="ltr"><br><blockquote type="cite">On 4 Mar 2024, at 10:02, Spoke wrote:<br><br></blockquote></div><blockquote type="cite"><div dir="ltr">Restart tonight?</div></blockquote></div></body></html>',
    );

    const { reply, quoted } = splitHtmlReply(html);

    expect(reply).toBe(
      '<div dir="auto">Yes, go ahead.<br><br><div dir="ltr">Sent from my iPhone</div><div dir="ltr"><br></div></div>',
    );
    expect(quoted.startsWith('<div dir="auto"><div dir="ltr"><blockquote type="cite">On 4 Mar 2024')).toBe(
      true,
    );
    expect(htmlToText(quoted)).toContain('Restart tonight?');
  });

  it('cuts a Thunderbird reply at the cite prefix', () => {
    const html = safe(
      '<p>Attached.</p><div class="moz-cite-prefix">Am 04.03.24 um 10:02 schrieb Spoke:<br></div><blockquote type="cite" cite="mid:x@acme.example">Log please.</blockquote>',
    );

    expect(splitHtmlReply(html)).toEqual({
      reply: '<p>Attached.</p>',
      quoted:
        '<div class="moz-cite-prefix">Am 04.03.24 um 10:02 schrieb Spoke:<br></div><blockquote type="cite">Log please.</blockquote>',
    });
  });

  it('cuts an Outlook reply at #appendonsend: everything after is the original', () => {
    const html = safe(
      '<div class="elementToProof">Done.</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr"><b>From:</b> Spoke<br><b>Sent:</b> Monday</div><div>Please reconnect.</div>',
    );

    const { reply, quoted } = splitHtmlReply(html);

    expect(reply).toBe('<div>Done.</div>');
    expect(htmlToText(quoted)).toBe('---\nFrom: Spoke\nSent: Monday\nPlease reconnect.');
  });

  it('leaves answers written between quotes in the reply', () => {
    const html = safe(
      '<div>Hi</div><blockquote type="cite">Which model?</blockquote><div>X1.</div><blockquote type="cite">Since when?</blockquote><div>Friday.</div>',
    );

    expect(splitHtmlReply(html)).toEqual({ reply: html, quoted: '' });
  });

  it('cuts at the last quote when only quotes follow it', () => {
    const html = safe(
      '<blockquote type="cite">Which model?</blockquote><div>X1.</div><blockquote type="cite">old</blockquote><div><br></div>',
    );

    const { reply, quoted } = splitHtmlReply(html);

    expect(reply).toBe('<blockquote type="cite">Which model?</blockquote><div>X1.</div>');
    expect(quoted).toBe('<blockquote type="cite">old</blockquote><div><br></div>');
  });

  it('leaves HTML without markers, or with nothing before the marker, whole', () => {
    const plain = safe('<p>Printer down.</p><blockquote>a plain quote</blockquote>');
    const bare = safe(
      '<div><br></div><div class="gmail_quote">---------- Forwarded message ---------<br>x</div>',
    );

    expect(splitHtmlReply(plain)).toEqual({ reply: plain, quoted: '' });
    expect(splitHtmlReply(bare)).toEqual({ reply: bare, quoted: '' });
  });

  it('leaves markup nested past the parse limit whole', () => {
    const html = `<div>a</div>${'<b>'.repeat(5000)}<blockquote type="cite">q</blockquote>`;

    expect(splitHtmlReply(html)).toEqual({ reply: html, quoted: '' });
  });

  it('loses no text on generated markup', () => {
    const piece = fc.constantFrom(
      '<div>',
      '</div>',
      '<p>',
      '</p>',
      '<br>',
      '<blockquote type="cite">',
      '<blockquote>',
      '</blockquote>',
      '<div class="gmail_quote">',
      '<div id="appendonsend">',
      '<div class="moz-cite-prefix">',
      'alpha ',
      'beta ',
      'gamma ',
      ' ',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const html = safe(pieces.join(''));
        const { reply, quoted } = splitHtmlReply(html);
        expect([...words(reply), ...words(quoted)].filter((w) => w !== '>')).toEqual(
          words(html).filter((w) => w !== '>'),
        );
      }),
      { numRuns: 2000 },
    );
  });
});
