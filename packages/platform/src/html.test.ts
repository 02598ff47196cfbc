import { describe, expect, it } from 'vitest';
import { html, htmlText, raw } from './html.js';

describe('html', () => {
  it('escapes every interpolated string, attribute values included', () => {
    const who = `<script>alert('x')</script> & "friends"`;
    expect(htmlText(html`<p title="${who}">${who}</p>`)).toBe(
      '<p title="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;friends&quot;">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;friends&quot;</p>',
    );
  });

  it('puts fragments and lists of fragments in once, without escaping them again', () => {
    const items = ['a<b', 'c&d'].map((s) => html`<li>${s}</li>`);
    expect(htmlText(html`<ul>${items}</ul>${html`<br>`}`)).toBe('<ul><li>a&lt;b</li><li>c&amp;d</li></ul><br>');
  });

  it('leaves markup the code holds as it is only through raw, and skips null and false', () => {
    expect(htmlText(html`<style>${raw('a{content:"&"}')}</style>${null}${false}${3}`)).toBe('<style>a{content:"&"}</style>3');
  });

  it('refuses an asynchronous part rather than render "[object Promise]"', () => {
    expect(() => htmlText(html`${Promise.resolve('late')}`)).toThrow(/asynchronous/);
  });
});
