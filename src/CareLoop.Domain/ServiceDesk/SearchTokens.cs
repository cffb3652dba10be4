using System.Buffers;
using System.Globalization;
using System.Text;

namespace CareLoop.Domain.ServiceDesk;

/// <summary>
/// Splits ticket text (subjects, messages, order and phone numbers) into the search tokens that are stored per ticket
/// and indexed by SQLite FTS5 and a PostgreSQL GIN index, and turns a user's query into the tokens a ticket must
/// all have (ADR 13). Pure and allocation-conscious: it runs on every ticket write.
/// </summary>
/// <remarks>
/// <para><b>Normalisation.</b> Unicode NFKC (full-width ＡＢＣ１２３ → abc123, half-width katakana → full-width,
/// compatibility ideographs → unified ones), then invariant lower case. Traditional and simplified Chinese are not
/// mapped onto each other.</para>
/// <para><b>CJK runs</b> (Han incl. extension A and the supplementary planes, Hiragana, Katakana, Hangul, 々〆〇):
/// every adjacent pair (bigram) within the run and the run's last character (unigram), so "快递没到" gives
/// 快递 递没 没到 到, and a run of one character gives that character. Every occurrence of a character is thus the
/// first character of a bigram or a run's last character: a query of one character looks up every token that starts
/// with it (a prefix token, written 退* here, <c>"退"*</c> for FTS5 and <c>'退':*</c> for PostgreSQL); a longer run
/// looks up all of its bigrams (AND). (Indexing every unigram as well would answer one-character queries by an exact
/// term, at the price of half again as many tokens on every ticket write.) A one- or two-character term is therefore
/// answered by the index exactly; a longer term can match a ticket holding its bigrams in different places (e.g. 退款
/// and 款了 far apart for 退款了), which the caller removes with <see cref="MatchesAllTerms"/> on the candidate
/// rows.</para>
/// <para><b>Words</b>: runs of other letters and digits (combining marks continue a word), lower-cased and cut to
/// <see cref="MaxWordLength"/> characters: "iPhone15" → iphone15. Each run of ASCII digits of at least
/// <see cref="MinDigitRunLength"/> inside a word is also indexed on its own and by its last
/// <see cref="PhoneSuffixLength"/> digits, so "13800001234" is found by 13800001234 and by 1234, and "SN20240518"
/// by 20240518 and 0518. Other suffixes (e.g. the last six digits) and numbers written in groups
/// ("138-0000-1234") are not joined.</para>
/// <para><b>Everything else</b> (spaces, punctuation including 、，。・, symbols, emoji, variation selectors, control
/// characters, lone surrogates) separates tokens and is never part of one.</para>
/// <para><b>Cap.</b> At most <see cref="MaxIndexTokens"/> distinct tokens per ticket, in order of first occurrence
/// (so pass the subject and numbers before long message bodies); a text beyond that is not searchable by its later
/// tokens. A query keeps at most <see cref="MaxQueryTokens"/> tokens: dropping tokens only widens the candidate set,
/// which the post-filter narrows again.</para>
/// <para><b>Storage format and index configuration.</b> The stored value is the distinct tokens separated by single
/// ASCII spaces. A token contains only letters, digits, combining marks and CJK characters: never a space, quote,
/// backslash, colon, ampersand, parenthesis, asterisk or any other ASCII punctuation, so every token is one bareword
/// for both engines. SQLite: FTS5's <c>unicode61</c> tokenizer treats each CJK character as a token character and
/// splits only at separators, so a CJK run without spaces would become ONE token (checked: "快递没到" is indexed as
/// the single term 快递没到) — which is why the tokens are separated by spaces here. Use
/// <c>tokenize='ascii'</c>: it splits only at ASCII non-alphanumerics and treats every non-ASCII character as a token
/// character, so each stored token is exactly one FTS5 term (unicode61 would also work for Chinese, but it splits
/// words at combining marks and folds diacritics). PostgreSQL: the GIN index is on <c>"Tokens"::tsvector</c>, whose
/// input function splits at white space and keeps each token as it is (no parser, no dictionary, no positions:
/// indexing is about half the cost of <c>to_tsvector('simple', …)</c>), and queries cast the text of
/// <see cref="PgTsQuery"/> with <c>::tsquery</c> the same way. Build MATCH and tsquery text only with
/// <see cref="Fts5Match"/> and
/// <see cref="PgTsQuery"/>, and pass it as a parameter.</para>
/// </remarks>
public static class SearchTokens
{
    /// <summary>Distinct tokens stored for one ticket at most (about 28 KB of token text in the worst case).</summary>
    public const int MaxIndexTokens = 4000;

    /// <summary>Tokens a query is reduced to at most.</summary>
    public const int MaxQueryTokens = 32;

    /// <summary>A longer word is cut to this many UTF-16 characters, in the index and in queries alike.</summary>
    public const int MaxWordLength = 64;

    /// <summary>Shortest run of ASCII digits that is also indexed on its own and by its suffix.</summary>
    public const int MinDigitRunLength = 4;

    /// <summary>Length of the digit suffix indexed for digit runs (agents search a phone by its last four digits).</summary>
    public const int PhoneSuffixLength = 4;

    /// <summary>Ends a query token that matches every index token starting with it (see <see cref="IsPrefix"/>).</summary>
    public const char PrefixMarker = '*';

    /// <summary>True for a query token that matches every index token starting with <see cref="Term"/> of it.</summary>
    public static bool IsPrefix(string token) => token.Length > 1 && token[^1] == PrefixMarker;

    /// <summary>A query token without its <see cref="PrefixMarker"/>: the text an index token equals or starts with.</summary>
    public static string Term(string token) => IsPrefix(token) ? token[..^1] : token;

    /// <summary>The distinct tokens of <paramref name="texts"/>, separated by single spaces, for storing. Null and empty texts are skipped.</summary>
    public static string ForIndex(params ReadOnlySpan<string?> texts)
    {
        var writer = TokenWriter.Rent(MaxIndexTokens);
        try
        {
            foreach (var text in texts)
            {
                if (writer.Full)
                {
                    break;
                }

                if (!string.IsNullOrEmpty(text))
                {
                    Scan(Nfkc(text), writer, Mode.Index, null);
                }
            }

            return writer.ToString();
        }
        finally
        {
            TokenWriter.Return(writer);
        }
    }

    /// <summary>The distinct tokens of <paramref name="texts"/>, separated by single spaces, for storing. Null and empty texts are skipped.</summary>
    public static string ForIndex(IEnumerable<string?> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return ForIndex([.. texts]);
    }

    /// <summary>
    /// The distinct tokens for comparing two short texts (duplicate subjects): every CJK character and adjacent pair,
    /// and the words and digit runs as in the index. Unlike <see cref="ForIndex(ReadOnlySpan{string?})"/>, which keeps
    /// only each run's last character, every character counts, so a one-character difference weighs the same anywhere.
    /// </summary>
    public static IReadOnlyList<string> ForSimilarity(string? text) => Split(Collect(text, MaxIndexTokens, Mode.Similarity));

    /// <summary>
    /// The tokens a ticket must all have to match <paramref name="query"/>, separated by single spaces (empty for a
    /// query without letters, digits or CJK characters): the prefix token (退*) of a one-character CJK run, the bigrams
    /// of a longer one, each word normalised as in the index.
    /// </summary>
    public static string ForQuery(string? query) => Collect(query, MaxQueryTokens, Mode.Query);

    /// <summary><see cref="ForQuery"/> as a list; empty for an empty or whitespace-only query.</summary>
    public static IReadOnlyList<string> QueryTokens(string? query) => Split(ForQuery(query));

    /// <summary>The distinct tokens of one text in <paramref name="mode"/>, separated by spaces; empty for a blank text.</summary>
    private static string Collect(string? text, int max, Mode mode)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var writer = TokenWriter.Rent(max);
        try
        {
            Scan(Nfkc(text), writer, mode, null);
            return writer.ToString();
        }
        finally
        {
            TokenWriter.Return(writer);
        }
    }

    private static IReadOnlyList<string> Split(string joined) => joined.Length == 0 ? [] : joined.Split(' ');

    /// <summary>
    /// An FTS5 MATCH expression requiring every token: <c>"快递" AND "1234" AND "退"*</c>. Each token is
    /// double-quoted after removing every character a token cannot contain (quotes, backslashes, colons, operators,
    /// spaces…), so the result is always a plain conjunction of single terms, a token ending in
    /// <see cref="PrefixMarker"/> as a prefix term. Empty when no token is left: do not query then (FTS5 rejects an
    /// empty MATCH).
    /// </summary>
    public static string Fts5Match(IReadOnlyList<string> tokens) => Join(tokens, '"', " AND ", "*");

    /// <summary>
    /// A tsquery text for <c>@query::tsquery</c> requiring every token: <c>'快递' &amp; '1234' &amp; '退':*</c>.
    /// Each token is single-quoted after removing every character a token cannot contain (quotes, backslashes,
    /// colons, &amp; | ! ( ) * …), so no operator or weight can be injected; a token ending in
    /// <see cref="PrefixMarker"/> becomes a prefix term. Empty when no token is left: do not query then.
    /// </summary>
    public static string PgTsQuery(IReadOnlyList<string> tokens) => Join(tokens, '\'', " & ", ":*");

    /// <summary>
    /// NFKC and invariant lower case: the form in which <see cref="MatchesAllTerms"/> compares text. Null → empty.
    /// </summary>
    public static string Normalize(string? text) => string.IsNullOrEmpty(text) ? string.Empty : Nfkc(text).ToLowerInvariant();

    /// <summary>
    /// The post-filter for index candidates: true when every term of <paramref name="query"/> (each CJK run and each
    /// word, normalised) occurs contiguously in at least one of <paramref name="texts"/>. It removes the false
    /// positives of the bigram query for CJK terms of three or more characters. False for a query without terms.
    /// </summary>
    public static bool MatchesAllTerms(string? query, params ReadOnlySpan<string?> texts)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return false;
        }

        var terms = new List<string>();
        var writer = TokenWriter.Rent(int.MaxValue);
        try
        {
            Scan(Normalize(query), writer, Mode.Terms, terms);
        }
        finally
        {
            TokenWriter.Return(writer);
        }

        if (terms.Count == 0)
        {
            return false;
        }

        var haystacks = new string[texts.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            haystacks[i] = Normalize(texts[i]);
        }

        foreach (var term in terms)
        {
            var found = false;
            foreach (var haystack in haystacks)
            {
                if (haystack.Contains(term, StringComparison.Ordinal))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private enum Mode
    {
        Index,
        Query,
        Terms,
        Similarity,
    }

    private static string Nfkc(string text)
    {
        try
        {
            return text.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // Invalid UTF-16 (a lone surrogate): replace the broken code units, they separate tokens anyway.
            return ReplaceInvalid(text).Normalize(NormalizationForm.FormKC);
        }
    }

    private static string ReplaceInvalid(string text)
    {
        var builder = new StringBuilder(text.Length);
        var span = text.AsSpan();
        while (!span.IsEmpty)
        {
            Rune.DecodeFromUtf16(span, out var rune, out var consumed);
            builder.Append(rune.ToString());
            span = span[consumed..];
        }

        return builder.ToString();
    }

    private static void Scan(ReadOnlySpan<char> text, TokenWriter writer, Mode mode, List<string>? terms)
    {
        var i = 0;
        while (i < text.Length && !writer.Full)
        {
            var rune = RuneAt(text, i, out var length);
            if (IsCjk(rune))
            {
                var end = i + length;
                var count = 1;
                while (end < text.Length)
                {
                    var next = RuneAt(text, end, out var nextLength);
                    if (!IsCjk(next))
                    {
                        break;
                    }

                    end += nextLength;
                    count++;
                }

                var run = text[i..end];
                if (mode == Mode.Terms)
                {
                    terms!.Add(run.ToString());
                }
                else
                {
                    EmitCjk(run, count, writer, mode);
                }

                i = end;
            }
            else if (StartsWord(rune))
            {
                var end = i + length;
                while (end < text.Length)
                {
                    var next = RuneAt(text, end, out var nextLength);
                    if (IsCjk(next) || !ContinuesWord(next))
                    {
                        break;
                    }

                    end += nextLength;
                }

                var word = text[i..end];
                if (mode == Mode.Terms)
                {
                    terms!.Add(word.ToString());
                }
                else
                {
                    EmitWord(word, writer, mode);
                }

                i = end;
            }
            else
            {
                i += length;
            }
        }
    }

    private static void EmitCjk(ReadOnlySpan<char> run, int count, TokenWriter writer, Mode mode)
    {
        if (mode == Mode.Similarity)
        {
            for (var i = 0; i < run.Length;)
            {
                RuneAt(run, i, out var length);
                writer.Add(run.Slice(i, length));
                i += length;
            }
        }

        if (count == 1)
        {
            // A one-character query finds the character anywhere: as the first of a bigram or as a run's last character.
            writer.Add(run, mode == Mode.Query ? PrefixMarker : null);
            return;
        }

        RuneAt(run, 0, out var previousLength);
        var previousStart = 0;
        for (var i = previousLength; i < run.Length;)
        {
            RuneAt(run, i, out var length);
            writer.Add(run[previousStart..(i + length)]);
            previousStart = i;
            i += length;
        }

        if (mode != Mode.Query)
        {
            writer.Add(run[previousStart..]); // (already there for Similarity: the writer keeps tokens distinct)
        }
    }

    private static void EmitWord(ReadOnlySpan<char> word, TokenWriter writer, Mode mode)
    {
        writer.Begin();
        for (var i = 0; i < word.Length;)
        {
            var rune = Rune.ToLowerInvariant(RuneAt(word, i, out var length));
            if (writer.CurrentLength + rune.Utf16SequenceLength > MaxWordLength)
            {
                break;
            }

            writer.Append(rune);
            i += length;
        }

        writer.End();
        if (mode is not (Mode.Index or Mode.Similarity))
        {
            return;
        }

        for (var i = 0; i < word.Length;)
        {
            if (!char.IsAsciiDigit(word[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < word.Length && char.IsAsciiDigit(word[i]))
            {
                i++;
            }

            var digits = word[start..i];
            if (digits.Length < MinDigitRunLength)
            {
                continue;
            }

            if (digits.Length != word.Length)
            {
                writer.Add(digits[..Math.Min(digits.Length, MaxWordLength)]);
            }

            writer.Add(digits[^PhoneSuffixLength..]);
        }
    }

    private static string Join(IReadOnlyList<string> tokens, char quote, string separator, string prefixSyntax)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var builder = new StringBuilder();
        foreach (var token in tokens)
        {
            if (string.IsNullOrEmpty(token))
            {
                continue;
            }

            var start = builder.Length;
            if (start > 0)
            {
                builder.Append(separator);
            }

            builder.Append(quote);
            var contentStart = builder.Length;
            for (var i = 0; i < token.Length;)
            {
                var rune = RuneAt(token, i, out var length);
                if (IsCjk(rune) || StartsWord(rune) || ContinuesWord(rune))
                {
                    builder.Append(token, i, length);
                }

                i += length;
            }

            if (builder.Length == contentStart)
            {
                builder.Length = start;
                continue;
            }

            builder.Append(quote);
            if (IsPrefix(token))
            {
                builder.Append(prefixSyntax);
            }
        }

        return builder.ToString();
    }

    private static Rune RuneAt(ReadOnlySpan<char> text, int index, out int length)
    {
        Rune.DecodeFromUtf16(text[index..], out var rune, out length);
        return rune;
    }

    /// <summary>A character indexed by unigrams and bigrams: a letter (or 〇) of a CJK script.</summary>
    internal static bool IsCjk(Rune rune)
    {
        var value = rune.Value;
        var inBlock =
            (value >= 0x3400 && value <= 0x4DBF) ||   // CJK unified ideographs extension A
            (value >= 0x4E00 && value <= 0x9FFF) ||   // CJK unified ideographs
            (value >= 0xF900 && value <= 0xFAFF) ||   // CJK compatibility ideographs
            (value >= 0x20000 && value <= 0x3FFFF) || // extensions B and later (SIP, TIP)
            (value >= 0x3005 && value <= 0x3007) ||   // 々 〆 〇
            (value >= 0x3040 && value <= 0x30FF) ||   // Hiragana, Katakana
            (value >= 0x31F0 && value <= 0x31FF) ||   // Katakana phonetic extensions
            (value >= 0x1B000 && value <= 0x1B16F) || // Kana supplement and extensions
            (value >= 0xAC00 && value <= 0xD7AF) ||   // Hangul syllables
            (value >= 0x1100 && value <= 0x11FF) ||   // Hangul Jamo
            (value >= 0x3130 && value <= 0x318F) ||   // Hangul compatibility Jamo
            (value >= 0xA960 && value <= 0xA97F) ||   // Hangul Jamo extended A
            (value >= 0xD7B0 && value <= 0xD7FF);     // Hangul Jamo extended B
        if (!inBlock)
        {
            return false;
        }

        // Inside those blocks only letters count: ・ ゠ (punctuation) and ゛ ゜ (marks) separate.
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.OtherLetter or UnicodeCategory.ModifierLetter
            or UnicodeCategory.LetterNumber;
    }

    private static bool StartsWord(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter
        or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter
        or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber
        or UnicodeCategory.OtherNumber;

    private static bool ContinuesWord(Rune rune)
    {
        if (StartsWord(rune))
        {
            return true;
        }

        var value = rune.Value;
        if ((value >= 0xFE00 && value <= 0xFE0F) || (value >= 0xE0100 && value <= 0xE01EF))
        {
            return false; // variation selectors (emoji presentation) are not part of words
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
    }

    /// <summary>
    /// Collects distinct tokens in one pooled character buffer, separated by spaces; a token is checked against the
    /// ones already written without allocating a string for it. One instance per thread is reused.
    /// </summary>
    private sealed class TokenWriter
    {
        private const int RetainedBufferLength = 32 * 1024;

        [ThreadStatic]
        private static TokenWriter? _cached;

        private readonly HashSet<long> _seen;
        private char[] _buffer = ArrayPool<char>.Shared.Rent(1024);
        private int _length;
        private int _mark;
        private int _tokenStart;
        private int _count;
        private int _max;

        private TokenWriter() => _seen = new HashSet<long>(new TokenComparer(this));

        public bool Full => _count >= _max;

        public int CurrentLength => _length - _tokenStart;

        public static TokenWriter Rent(int max)
        {
            var writer = _cached ?? new TokenWriter();
            _cached = null;
            writer._max = max;
            return writer;
        }

        public static void Return(TokenWriter writer)
        {
            writer._length = 0;
            writer._count = 0;
            writer._seen.Clear();
            if (writer._buffer.Length > RetainedBufferLength)
            {
                ArrayPool<char>.Shared.Return(writer._buffer);
                writer._buffer = ArrayPool<char>.Shared.Rent(1024);
            }

            _cached = writer;
        }

        public void Add(ReadOnlySpan<char> token, char? suffix = null)
        {
            Begin();
            Grow(token.Length + 1);
            token.CopyTo(_buffer.AsSpan(_length));
            _length += token.Length;
            if (suffix is { } c)
            {
                _buffer[_length++] = c;
            }

            End();
        }

        public void Begin()
        {
            _mark = _length;
            if (_length > 0)
            {
                Grow(1);
                _buffer[_length++] = ' ';
            }

            _tokenStart = _length;
        }

        public void Append(Rune rune)
        {
            Grow(2);
            _length += rune.EncodeToUtf16(_buffer.AsSpan(_length));
        }

        /// <summary>Keeps the token written since <see cref="Begin"/> if it is new, non-empty and under the cap.</summary>
        public bool End()
        {
            var length = _length - _tokenStart;
            if (length == 0 || Full || !_seen.Add(((long)_tokenStart << 32) | (uint)length))
            {
                _length = _mark;
                return false;
            }

            _count++;
            return true;
        }

        public override string ToString() => new(_buffer, 0, _length);

        private ReadOnlySpan<char> Token(long key) => _buffer.AsSpan((int)(key >> 32), (int)(key & 0xFFFFFFFF));

        private void Grow(int needed)
        {
            if (_length + needed <= _buffer.Length)
            {
                return;
            }

            var larger = ArrayPool<char>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + needed));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<char>.Shared.Return(_buffer);
            _buffer = larger;
        }

        private sealed class TokenComparer(TokenWriter owner) : IEqualityComparer<long>
        {
            public bool Equals(long x, long y) => owner.Token(x).SequenceEqual(owner.Token(y));

            public int GetHashCode(long obj) => string.GetHashCode(owner.Token(obj));
        }
    }
}
