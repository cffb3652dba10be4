using System.Text;
using CareLoop.Domain.ServiceDesk;

namespace CareLoop.Domain.Tests.ServiceDesk;

public sealed class SearchTokensTests
{
    private static HashSet<string> IndexSet(params string?[] texts)
    {
        var joined = SearchTokens.ForIndex(texts);
        return joined.Length == 0 ? [] : [.. joined.Split(' ')];
    }

    private static bool IndexMatches(HashSet<string> index, string query)
    {
        var tokens = SearchTokens.QueryTokens(query);
        return tokens.Count > 0 && tokens.All(t => Holds(index, t));
    }

    /// <summary>What FTS5 and the GIN index answer for one query token: equal, or for a prefix token starting with it.</summary>
    private static bool Holds(HashSet<string> index, string token) => SearchTokens.IsPrefix(token)
        ? index.Any(i => i.StartsWith(SearchTokens.Term(token), StringComparison.Ordinal))
        : index.Contains(token);

    // ---- index tokens ----

    [Fact]
    public void A_chinese_run_gives_every_adjacent_bigram_then_its_last_character()
    {
        Assert.Equal("快递 递没 没到 到", SearchTokens.ForIndex("快递没到"));
    }

    [Fact]
    public void A_single_chinese_character_gives_its_unigram()
    {
        Assert.Equal("到", SearchTokens.ForIndex("到"));
    }

    [Fact]
    public void Mixed_chinese_digits_and_english_split_at_script_changes()
    {
        Assert.Equal("订单 单 123456 3456 退款 款了 了 iphone", SearchTokens.ForIndex("订单123456退款了iPhone"));
    }

    [Fact]
    public void Punctuation_spaces_and_emoji_separate_runs()
    {
        Assert.Equal("快递 递 到了 了 hello world", SearchTokens.ForIndex("快递📦到了！hello, world…"));
    }

    [Fact]
    public void Full_width_letters_and_digits_are_normalised_and_lower_cased()
    {
        Assert.Equal("abc123", SearchTokens.ForIndex("ＡＢＣ１２３"));
        Assert.Equal("iphone15", SearchTokens.ForIndex("ｉＰｈｏｎｅ１５"));
    }

    [Fact]
    public void A_phone_number_is_indexed_whole_and_by_its_last_four_digits()
    {
        var tokens = IndexSet("客户电话13800001234");
        Assert.Contains("13800001234", tokens);
        Assert.Contains("1234", tokens);
        Assert.Equal(["1234"], SearchTokens.QueryTokens("1234"));
        Assert.True(IndexMatches(tokens, "13800001234"));
        Assert.True(IndexMatches(tokens, "1234"));
    }

    [Fact]
    public void Full_width_phone_digits_are_found_by_ascii_digits()
    {
        var tokens = IndexSet("１３８００００１２３４");
        Assert.True(IndexMatches(tokens, "13800001234"));
        Assert.True(IndexMatches(tokens, "1234"));
    }

    [Fact]
    public void Digit_runs_inside_words_are_indexed_on_their_own_and_by_their_suffix()
    {
        Assert.Equal("sn20240518 20240518 0518", SearchTokens.ForIndex("SN20240518"));
    }

    [Fact]
    public void Digit_runs_shorter_than_four_add_nothing()
    {
        Assert.Equal("abc123 12", SearchTokens.ForIndex("abc123 12"));
    }

    [Fact]
    public void Tokens_are_distinct_in_order_of_first_occurrence()
    {
        Assert.Equal("快递 递快 递", SearchTokens.ForIndex("快递快递"));
        Assert.Equal("退款 款 abc", SearchTokens.ForIndex("退款 ABC", "abc 退款", null, "", "Abc"));
    }

    [Fact]
    public void Texts_are_separate_runs_no_bigram_crosses_two_texts()
    {
        Assert.Equal("退 货", SearchTokens.ForIndex("退", "货"));
    }

    [Fact]
    public void The_enumerable_overload_gives_the_same_tokens()
    {
        var texts = new List<string?> { "快递没到", null, "订单123456" };
        Assert.Equal(SearchTokens.ForIndex("快递没到", null, "订单123456"), SearchTokens.ForIndex(texts));
    }

    [Fact]
    public void Empty_and_separator_only_texts_give_an_empty_string()
    {
        Assert.Equal("", SearchTokens.ForIndex());
        Assert.Equal("", SearchTokens.ForIndex(null, "", "  ，。！？ 😀 ---"));
    }

    [Fact]
    public void Long_words_are_cut_to_64_characters()
    {
        var word = new string('a', 100);
        Assert.Equal(new string('a', 64), SearchTokens.ForIndex(word));
        Assert.Equal([new string('a', 64)], SearchTokens.QueryTokens(word));
    }

    [Fact]
    public void Japanese_and_korean_runs_are_treated_like_chinese()
    {
        Assert.Equal("アイ イ", SearchTokens.ForIndex("ｱｲ")); // half-width katakana normalised to full width
        Assert.Equal("アイ イ ウ", SearchTokens.ForIndex("アイ・ウ")); // the katakana middle dot separates
        Assert.Equal("환불 불", SearchTokens.ForIndex("환불"));
        Assert.Equal("㐀𠀀 𠀀", SearchTokens.ForIndex("㐀𠀀")); // extension A and extension B
    }

    [Fact]
    public void Variation_selectors_and_lone_surrogates_separate_and_do_not_throw()
    {
        Assert.Equal("好", SearchTokens.ForIndex("❤️好"));
        Assert.Equal("快 递", SearchTokens.ForIndex("快\uD800递"));
        Assert.Equal("a b", SearchTokens.ForIndex("a\uDC00b"));
    }

    [Fact]
    public void Output_is_capped_at_4000_distinct_tokens_keeping_the_first_ones()
    {
        var random = new Random(7);
        var builder = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
        {
            builder.Append((char)(0x4E00 + random.Next(3000)));
        }

        var joined = SearchTokens.ForIndex("工单主题", builder.ToString());
        var tokens = joined.Split(' ');
        Assert.Equal(SearchTokens.MaxIndexTokens, tokens.Length);
        Assert.Equal(tokens.Length, tokens.Distinct().Count());
        Assert.Equal(["工单", "单主", "主题", "题"], tokens[..4]);
    }

    [Fact]
    public void Every_token_is_a_single_bareword_for_fts5_and_tsquery()
    {
        var random = new Random(11);
        const string alphabet = "快递退款货订单AbcＺ１9 \t\n,.;:'\"\\&|!()*^-+_<>@#%$~`{}[]=/?，。、；：“”‘’（）【】—…・😀❤️\u0301é";
        for (var n = 0; n < 300; n++)
        {
            var builder = new StringBuilder();
            var length = random.Next(1, 60);
            for (var i = 0; i < length; i++)
            {
                builder.Append(alphabet[random.Next(alphabet.Length)]);
            }

            var joined = SearchTokens.ForIndex(builder.ToString());
            if (joined.Length == 0)
            {
                continue;
            }

            Assert.DoesNotContain("  ", joined);
            Assert.False(joined.StartsWith(' ') || joined.EndsWith(' '));
            foreach (var token in joined.Split(' '))
            {
                Assert.NotEqual("", token);
                Assert.All(token, c => Assert.True(c > 127 || char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c), $"'{c}' in '{token}'"));
                Assert.All(token, c => Assert.False(char.IsWhiteSpace(c) || char.IsPunctuation(c) || char.IsSymbol(c), $"'{c}' in '{token}'"));
            }
        }
    }

    [Fact]
    public void Similarity_tokens_are_every_character_and_pair_and_the_words()
    {
        Assert.Equal(["快", "递", "没", "到", "快递", "递没", "没到", "sn20240518", "20240518", "0518"],
            SearchTokens.ForSimilarity("快递没到 SN20240518"));
        Assert.Equal(["好"], SearchTokens.ForSimilarity("好"));
        Assert.Empty(SearchTokens.ForSimilarity(null));
        Assert.Empty(SearchTokens.ForSimilarity("，。"));
    }

    // ---- query tokens ----

    [Fact]
    public void A_one_character_query_looks_up_every_token_starting_with_it()
    {
        Assert.Equal(["退*"], SearchTokens.QueryTokens("退"));
        Assert.True(SearchTokens.IsPrefix("退*"));
        Assert.Equal("退", SearchTokens.Term("退*"));
        Assert.False(SearchTokens.IsPrefix("退款"));
        Assert.Equal("退款", SearchTokens.Term("退款"));
    }

    [Fact]
    public void A_one_character_query_finds_the_character_at_the_start_middle_and_end_of_a_run_and_alone()
    {
        var index = IndexSet("退款", "发货了", "好");
        Assert.DoesNotContain("退", index);
        Assert.DoesNotContain("货", index);
        foreach (var c in new[] { "退", "款", "发", "货", "了", "好" })
        {
            Assert.True(IndexMatches(index, c), c);
        }

        Assert.False(IndexMatches(index, "换"));
    }

    [Fact]
    public void A_two_character_query_looks_up_its_bigram()
    {
        Assert.Equal(["退款"], SearchTokens.QueryTokens("退款"));
        Assert.Equal(["快递"], SearchTokens.QueryTokens(" 快递 "));
    }

    [Fact]
    public void A_longer_query_looks_up_all_its_bigrams()
    {
        Assert.Equal(["快递", "递没", "没到"], SearchTokens.QueryTokens("快递没到"));
        Assert.Equal("快递 递没 没到", SearchTokens.ForQuery("快递没到"));
    }

    [Fact]
    public void Mixed_queries_combine_bigrams_and_words()
    {
        Assert.Equal(["iphone15", "退款"], SearchTokens.QueryTokens("iPhone15 退款"));
        Assert.Equal(["订单", "123456"], SearchTokens.QueryTokens("订单#１２３４５６"));
        Assert.Equal(["订单", "123456", "退款", "款了", "iphone"], SearchTokens.QueryTokens("订单123456退款了iPhone"));
        Assert.Equal(["退款", "退*"], SearchTokens.QueryTokens("退款 退 退款"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    [InlineData("，。！？")]
    [InlineData(null)]
    public void Empty_or_separator_only_queries_have_no_tokens(string? query)
    {
        Assert.Empty(SearchTokens.QueryTokens(query));
        Assert.Equal("", SearchTokens.ForQuery(query));
    }

    [Fact]
    public void Queries_are_capped()
    {
        var query = string.Concat(Enumerable.Range(0, 200).Select(i => (char)(0x4E00 + (i * 7))));
        Assert.Equal(SearchTokens.MaxQueryTokens, SearchTokens.QueryTokens(query).Count);
    }

    [Fact]
    public void A_term_whose_characters_occur_but_not_adjacently_does_not_match()
    {
        var index = IndexSet("我要退了这个货");
        Assert.False(IndexMatches(index, "退货"));
        Assert.True(IndexMatches(index, "退"));
        Assert.True(IndexMatches(index, "货"));
    }

    [Fact]
    public void A_longer_term_with_its_bigrams_apart_is_an_index_candidate_removed_by_the_post_filter()
    {
        const string text = "退款已经处理，款了结";
        var index = IndexSet(text);
        Assert.True(IndexMatches(index, "退款了"));             // 退款 and 款了 are both there, apart
        Assert.False(SearchTokens.MatchesAllTerms("退款了", text));
        Assert.True(SearchTokens.MatchesAllTerms("退款 处理", text));
        Assert.True(SearchTokens.MatchesAllTerms("ＩＰＨＯＮＥ 快递", "iPhone 不见了", "快递已签收"));
        Assert.False(SearchTokens.MatchesAllTerms("   ", text));
    }

    [Fact]
    public void Any_cjk_substring_of_a_random_text_matches_its_index()
    {
        const string alphabet = "退款货快递没到了订单手机的是不";
        const string separators = " ，。！";
        var random = new Random(20260518);
        for (var n = 0; n < 200; n++)
        {
            var builder = new StringBuilder();
            var length = random.Next(1, 40);
            for (var i = 0; i < length; i++)
            {
                builder.Append(random.Next(8) == 0 ? separators[random.Next(separators.Length)] : alphabet[random.Next(alphabet.Length)]);
            }

            var text = builder.ToString();
            var index = IndexSet(text);
            for (var start = 0; start < text.Length; start++)
            {
                for (var end = start + 1; end <= text.Length; end++)
                {
                    var sub = text[start..end];
                    var allCjk = sub.All(alphabet.Contains);
                    if (!allCjk && sub.Length > 2)
                    {
                        continue;
                    }

                    var tokens = SearchTokens.QueryTokens(sub);
                    Assert.All(tokens, t => Assert.True(Holds(index, t), $"'{t}' of '{sub}' missing for '{text}'"));
                    if (allCjk)
                    {
                        Assert.NotEmpty(tokens);
                        Assert.True(SearchTokens.MatchesAllTerms(sub, text));
                    }
                }
            }
        }
    }

    [Fact]
    public void Random_two_character_terms_match_exactly_when_adjacent_in_the_text()
    {
        const string alphabet = "退款货快递没到了";
        var random = new Random(42);
        for (var n = 0; n < 300; n++)
        {
            var chars = new char[random.Next(1, 12)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }

            var text = new string(chars);
            var term = $"{alphabet[random.Next(alphabet.Length)]}{alphabet[random.Next(alphabet.Length)]}";
            Assert.Equal(text.Contains(term, StringComparison.Ordinal), IndexMatches(IndexSet(text), term));
        }
    }

    // ---- MATCH / tsquery text ----

    [Fact]
    public void Fts5_match_quotes_each_token_and_joins_with_and()
    {
        Assert.Equal("\"快递\" AND \"1234\"", SearchTokens.Fts5Match(["快递", "1234"]));
        Assert.Equal("\"退\"*", SearchTokens.Fts5Match(SearchTokens.QueryTokens("退")));
        Assert.Equal("\"退款\" AND \"货\"*", SearchTokens.Fts5Match(SearchTokens.QueryTokens("退款，货")));
        Assert.Equal("", SearchTokens.Fts5Match([]));
    }

    [Fact]
    public void Pg_tsquery_quotes_each_token_and_joins_with_ampersands()
    {
        Assert.Equal("'快递' & '1234'", SearchTokens.PgTsQuery(["快递", "1234"]));
        Assert.Equal("'退款' & '货':*", SearchTokens.PgTsQuery(SearchTokens.QueryTokens("退款，货")));
        Assert.Equal("", SearchTokens.PgTsQuery([]));
    }

    [Fact]
    public void Match_and_tsquery_text_strip_every_character_that_could_be_syntax()
    {
        string[] hostile = ["a\"b", "x:y*", "\\", "' OR 1=1 --", "&|!()<->", "快\"递", "NEAR(a b)", "^c", "{col}:d", "", " "];
        var fts = SearchTokens.Fts5Match(hostile);
        Assert.Equal("\"ab\" AND \"xy\"* AND \"OR11\" AND \"快递\" AND \"NEARab\" AND \"c\" AND \"cold\"", fts);
        var pg = SearchTokens.PgTsQuery(hostile);
        Assert.Equal("'ab' & 'xy':* & 'OR11' & '快递' & 'NEARab' & 'c' & 'cold'", pg);
    }

    [Fact]
    public void Fts5_and_tsquery_helpers_reject_null()
    {
        Assert.Throws<ArgumentNullException>(() => SearchTokens.Fts5Match(null!));
        Assert.Throws<ArgumentNullException>(() => SearchTokens.PgTsQuery(null!));
    }
}
