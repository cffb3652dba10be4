using System.Net;
using System.Text.Json.Nodes;
using CareLoop.Server.Modules.ServiceDesk;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Platform.Outbox;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Tests.ServiceDesk;

public sealed class TicketSearchTestsSqlite(SqliteServer fixture) : TicketSearchTests(fixture), IClassFixture<SqliteServer>;
public sealed class TicketSearchTestsPostgres(PostgresServer fixture) : TicketSearchTests(fixture), IClassFixture<PostgresServer>;

/// <summary>
/// <c>GET /api/v1/tickets/search</c>: Chinese one- and two-character terms, numbers, notes, isolation and hostile
/// input, on both databases. Tests share the class's database, so each asserts on its own tickets only.
/// </summary>
public abstract class TicketSearchTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;
    private Desk Desk => _desk ??= new Desk(Server);
    private Desk? _desk;

    [Fact]
    public async Task OneAndTwoCharacterChineseTerms_FindTheTicketsHoldingThem_AndNoOthers()
    {
        var customer = await Desk.CustomerAsync();
        var refund = await TicketAsync(customer, "申请退款", "收到的电水壶坏了");
        var parcel = await TicketAsync(customer, "快递三天没动了", "订单一直显示运输中");
        var returned = await TicketAsync(customer, "想退一件", "尺码不合适");
        await IndexAsync();
        var agent = await Server.ClientAsync(Roles.Agent);

        var twoCharacters = await SearchAsync(agent, "退款");
        Assert.Contains(refund, twoCharacters);
        Assert.DoesNotContain(parcel, twoCharacters);
        Assert.DoesNotContain(returned, twoCharacters);

        var oneCharacter = await SearchAsync(agent, "退");
        Assert.Contains(refund, oneCharacter);
        Assert.Contains(returned, oneCharacter);
        Assert.DoesNotContain(parcel, oneCharacter);
        // A character is indexed as the first of a bigram or as the last of its run: both are found.
        var last = await SearchAsync(agent, "适");
        Assert.Contains(returned, last);
        Assert.DoesNotContain(refund, last);
        var middle = await SearchAsync(agent, "壶");
        Assert.Contains(refund, middle);
        Assert.DoesNotContain(returned, middle);

        var express = await SearchAsync(agent, "快递");
        Assert.Contains(parcel, express);
        Assert.DoesNotContain(refund, express);
        Assert.Contains(parcel, await SearchAsync(agent, "没动"));
        Assert.Contains(parcel, await SearchAsync(agent, "运输"));
    }

    [Fact]
    public async Task TermsWhoseCharactersOccurApart_DoNotMatch()
    {
        var customer = await Desk.CustomerAsync();
        // 退款 and 款了 both occur, but never 退款了; 快 and 动 both occur, but never 快动.
        var apart = await TicketAsync(customer, "快递三天没动了，要退款", "付款了吗？");
        var together = await TicketAsync(customer, "已经退款了", "谢谢");
        await IndexAsync();
        var agent = await Server.ClientAsync(Roles.Agent);

        var threeCharacters = await SearchAsync(agent, "退款了");
        Assert.Contains(together, threeCharacters);
        Assert.DoesNotContain(apart, threeCharacters);
        Assert.DoesNotContain(apart, await SearchAsync(agent, "快动"));
        Assert.DoesNotContain(apart, await SearchAsync(agent, "了吗退"));
    }

    [Fact]
    public async Task OrderNumber_FullPhone_LastFourDigits_AndTicketNumber_FindTheTicket()
    {
        var phone = "139" + Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var customer = await CustomerAsync("韩梅梅", phone);
        var (_, order) = await Desk.OrderAsync(customer);
        var ticket = await TicketAsync(customer, "电水壶不加热", "插电后没有反应", order: order);
        var number = (await TicketNumberAsync(ticket)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var other = await TicketAsync(await Desk.CustomerAsync(), "电水壶不加热", "插电后没有反应");
        await IndexAsync();
        var agent = await Server.ClientAsync(Roles.Agent);

        var byOrder = await SearchAsync(agent, order);
        Assert.Equal([ticket], byOrder);
        var byPhone = await SearchAsync(agent, phone);
        Assert.Equal([ticket], byPhone);
        var byLastFour = await SearchAsync(agent, phone[^4..]);
        Assert.Contains(ticket, byLastFour);
        Assert.DoesNotContain(other, byLastFour);
        Assert.Contains(ticket, await SearchAsync(agent, number));
        Assert.Contains(ticket, await SearchAsync(agent, "#" + number));
        Assert.Contains(ticket, await SearchAsync(agent, "韩梅梅 不加热"));
    }

    [Fact]
    public async Task EnglishWords_MatchWhateverTheirCase()
    {
        var marker = Marker();
        var customer = await Desk.CustomerAsync();
        var ticket = await TicketAsync(customer, $"iPhone Screen CRACKED {marker}", "Delivered yesterday");
        var other = await TicketAsync(customer, $"iPhone case {marker}", "wrong colour");
        await IndexAsync();
        var agent = await Server.ClientAsync(Roles.Agent);

        Assert.Equal([ticket], await SearchAsync(agent, $"cracked {marker.ToUpperInvariant()}"));
        Assert.Equal([ticket], await SearchAsync(agent, $"SCREEN iphone {marker}"));
        Assert.Equal([other, ticket], await SearchAsync(agent, $"IPHONE {marker}"));
        Assert.Equal([ticket], await SearchAsync(agent, $"delivered {marker}"));
    }

    [Fact]
    public async Task InternalNotes_AreFoundByAgents_ButNeverRevealATicketToItsCustomer()
    {
        var marker = Marker();
        var customer = await Desk.CustomerAsync();
        var ticket = await TicketAsync(customer, "屏幕有划痕", "刚收到就有划痕");
        var agent = await Server.ClientAsync(Roles.Agent);
        await (await agent.PostJsonAsync($"/api/v1/tickets/{ticket}/messages", new { body = $"仓库确认发出前已破损 {marker}", visibility = "internal" }))
            .ExpectAsync(HttpStatusCode.OK);
        await IndexAsync();

        Assert.Equal([ticket], await SearchAsync(agent, $"破损 {marker}"));
        Assert.Equal([ticket], await SearchAsync(agent, marker));
        var me = await Server.ClientAsync(Roles.Customer, customer: customer);
        Assert.Empty(await SearchAsync(me, marker));
        Assert.Equal([ticket], await SearchAsync(me, "划痕"));
    }

    [Fact]
    public async Task PublicReplies_AreIndexedAfterCommit()
    {
        var marker = Marker();
        var customer = await Desk.CustomerAsync();
        var ticket = await TicketAsync(customer, "发票抬头错了", "请重开");
        await IndexAsync();
        var me = await Server.ClientAsync(Roles.Customer, customer: customer);
        await (await me.PostJsonAsync($"/api/v1/tickets/{ticket}/messages", new { body = $"税号是 {marker}" })).ExpectAsync(HttpStatusCode.OK);
        await IndexAsync();

        var agent = await Server.ClientAsync(Roles.Agent);
        Assert.Equal([ticket], await SearchAsync(agent, marker));
        Assert.Equal([ticket], await SearchAsync(me, $"发票 {marker}"));
    }

    [Fact]
    public async Task SubjectEdits_AreIndexed_AndTheOldSubjectNoLongerFinds()
    {
        var (before, after) = (Marker(), Marker());
        var customer = await Desk.CustomerAsync();
        var ticket = await TicketAsync(customer, $"旧主题 {before}", "内容");
        await IndexAsync();
        var agent = await Server.ClientAsync(Roles.Agent);
        Assert.Equal([ticket], await SearchAsync(agent, before));

        await (await agent.PatchJsonAsync($"/api/v1/tickets/{ticket}", new { subject = $"新主题 {after}" })).ExpectAsync(HttpStatusCode.OK);
        await IndexAsync();

        Assert.Equal([ticket], await SearchAsync(agent, after));
        Assert.Empty(await SearchAsync(agent, before));
    }

    [Fact]
    public async Task Merging_MakesTheTargetFoundByTheMergedConversation()
    {
        var marker = Marker();
        var customer = await Desk.CustomerAsync();
        var target = await TicketAsync(customer, "快递没到", "三天了");
        var source = await TicketAsync(customer, "还是没到", $"单号 {marker}");
        await IndexAsync();
        var agent = await Server.ClientAsync(Roles.Agent);
        Assert.Equal([source], await SearchAsync(agent, marker));

        await (await agent.PostJsonAsync($"/api/v1/tickets/{source}/merge", new { into = target.ToString() })).ExpectAsync(HttpStatusCode.OK);
        await IndexAsync();

        var found = await SearchAsync(agent, marker);
        Assert.Contains(target, found);
        Assert.Contains(source, found);
    }

    [Fact]
    public async Task CustomerNameAndPhoneChanges_ReindexTheirTickets()
    {
        var (oldPhone, newPhone) = (Phone(), Phone());
        var customer = await CustomerAsync("李雷", oldPhone);
        var first = await TicketAsync(customer, "电视没信号", "换了线也不行");
        var second = await TicketAsync(customer, "遥控器失灵", "换了电池");
        await IndexAsync();
        var agent = await Server.ClientAsync(Roles.Agent);

        await (await (await Desk.IntegrationAsync()).PutJsonAsync($"/api/v1/customers/{customer}", new { name = "李小雷", tier = "regular", phone = newPhone }))
            .ExpectAsync(HttpStatusCode.OK);
        await IndexAsync();

        Assert.Equal([second, first], await SearchAsync(agent, newPhone));
        Assert.Empty(await SearchAsync(agent, oldPhone));
        var byName = await SearchAsync(agent, $"李小雷 {newPhone[^4..]}");
        Assert.Equal([second, first], byName);
    }

    [Fact]
    public async Task Customers_AndMerchants_FindOnlyTheirOwnTickets()
    {
        var marker = Marker();
        var alice = await Desk.CustomerAsync();
        var bob = await Desk.CustomerAsync();
        var (shopA, orderA) = await Desk.OrderAsync(alice);
        var (shopB, orderB) = await Desk.OrderAsync(bob);
        var aliceTicket = await TicketAsync(alice, $"退款进度 {marker}", "还没到账", order: orderA);
        var bobTicket = await TicketAsync(bob, $"退款进度 {marker}", "还没到账", order: orderB);
        await IndexAsync();

        var agent = await Server.ClientAsync(Roles.Agent);
        Assert.Equal([bobTicket, aliceTicket], await SearchAsync(agent, $"退款 {marker}"));
        var asAlice = await Server.ClientAsync(Roles.Customer, customer: alice);
        Assert.Equal([aliceTicket], await SearchAsync(asAlice, $"退款 {marker}"));
        Assert.Empty(await SearchAsync(asAlice, orderB));
        var asShopB = await Server.ClientAsync(Roles.Merchant, merchant: shopB);
        Assert.Equal([bobTicket], await SearchAsync(asShopB, $"退款 {marker}"));
        Assert.Empty(await SearchAsync(asShopB, orderA));
        var asShopA = await Server.ClientAsync(Roles.Merchant, merchant: shopA);
        Assert.Equal([aliceTicket], await SearchAsync(asShopA, marker));
    }

    [Fact]
    public async Task ACommonOneCharacterTerm_FillsItsPageFromTheNewestTickets_FirstOrLastInItsRun()
    {
        // 21 matches of a page of 10 (20 candidates a batch): answered from the newest documents, not the index.
        var customer = await Desk.CustomerAsync();
        var tickets = new List<Guid>();
        for (var i = 0; i < 21; i++)
        {
            tickets.Add(await TicketAsync(customer, "鼋鼍", "无"));
        }
        await IndexAsync();
        var agent = await Server.ClientAsync(Roles.Agent);
        var newestFirst = Enumerable.Reverse(tickets).ToList();

        foreach (var q in new[] { "鼋", "鼍" })
        {
            var page = await (await agent.GetAsync($"/api/v1/tickets/search?q={Uri.EscapeDataString(q)}&limit=10")).ExpectAsync(HttpStatusCode.OK);
            Assert.Equal(newestFirst[..10], Ids(page!));
            Assert.NotNull(page!["nextCursor"]);
            Assert.Equal(newestFirst, await SearchAsync(agent, q));
        }
    }

    [Fact]
    public async Task Results_AreNewestFirst_AndPagedByCursor()
    {
        var marker = Marker();
        var customer = await Desk.CustomerAsync();
        var first = await TicketAsync(customer, $"发票 {marker}", "一");
        var second = await TicketAsync(customer, $"发票 {marker}", "二");
        var third = await TicketAsync(customer, $"发票 {marker}", "三");
        await IndexAsync();
        var agent = await Server.ClientAsync(Roles.Agent);

        var page1 = await (await agent.GetAsync($"/api/v1/tickets/search?q={Uri.EscapeDataString("发票 " + marker)}&limit=2")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([third, second], Ids(page1!));
        var cursor = page1!["nextCursor"]!.GetValue<string>();
        var page2 = await (await agent.GetAsync($"/api/v1/tickets/search?q={Uri.EscapeDataString("发票 " + marker)}&limit=2&cursor={cursor}")).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal([first], Ids(page2!));
        Assert.Null(page2!["nextCursor"]);
        Assert.Equal("发票 " + marker, page2["items"]![0]!["subject"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("\" OR 1=1 --", true)]
    [InlineData("*", false)]
    [InlineData("NEAR(", true)]
    [InlineData(":", false)]
    [InlineData("&", false)]
    [InlineData("\\", false)]
    [InlineData("'; DROP TABLE \"Tickets\"; --", true)]
    [InlineData("!(\"')|^-+", false)]
    public async Task Metacharacters_AreJustSeparators_AndAnswer200(string q, bool holdsWords)
    {
        var marker = Marker();
        var customer = await Desk.CustomerAsync();
        var ticket = await TicketAsync(customer, $"退款 {marker}", "没有特殊字符");
        var longer = await TicketAsync(customer, $"退款 {marker}x", "前缀不算");
        await IndexAsync();
        var agent = await Server.ClientAsync(Roles.Agent);

        var alone = await SearchAsync(agent, q);
        Assert.DoesNotContain(ticket, alone);
        Assert.DoesNotContain(longer, alone);
        // The words in q (or, near, drop…) are ordinary terms the ticket does not hold; the rest only separates.
        List<Guid> expected = holdsWords ? [] : [ticket];
        Assert.Equal(expected, await SearchAsync(agent, marker + q));
        Assert.Equal(expected, await SearchAsync(agent, q + marker + q));
        Assert.Equal(expected, await SearchAsync(agent, $"{q}退款{q} {marker}"));
        Assert.Equal([ticket], await SearchAsync(agent, $"{marker} 退款"));
    }

    [Fact]
    public async Task EmptyOrOversizeQuery_Is400NamingQ()
    {
        var agent = await Server.ClientAsync(Roles.Agent);
        await (await agent.GetAsync("/api/v1/tickets/search")).ExpectFieldErrorAsync("q");
        await (await agent.GetAsync("/api/v1/tickets/search?q=")).ExpectFieldErrorAsync("q");
        await (await agent.GetAsync("/api/v1/tickets/search?q=%20%20")).ExpectFieldErrorAsync("q");
        await (await agent.GetAsync($"/api/v1/tickets/search?q={new string('退', 201)}")).ExpectFieldErrorAsync("q");
        await (await agent.GetAsync("/api/v1/tickets/search?q=abc&cursor=bm90LWEtbnVtYmVy")).ExpectFieldErrorAsync("cursor");
        await (await agent.GetAsync("/api/v1/tickets/search?q=abc&limit=0")).ExpectFieldErrorAsync("limit");
    }

    [Fact]
    public async Task Rebuild_ReindexesTicketsWhoseDocumentsWereDeleted_AndIsForAdmins()
    {
        var marker = Marker();
        var customer = await Desk.CustomerAsync();
        var one = await TicketAsync(customer, $"保修卡丢了 {marker}", "还能保修吗");
        var two = await TicketAsync(customer, $"保修期多久 {marker}", "想问一下");
        await IndexAsync();
        var ids = new[] { one, two };
        var deleted = await Server.WithDbAsync(db => db.TicketSearch.Where(d => ids.Contains(d.TicketId)).ExecuteDeleteAsync());
        Assert.Equal(2, deleted);
        var agent = await Server.ClientAsync(Roles.Agent);
        Assert.Empty(await SearchAsync(agent, marker));

        await (await agent.PostAsync("/api/v1/tickets/search/rebuild", null)).ExpectAsync(HttpStatusCode.Forbidden);
        var admin = await Desk.AdminAsync();
        var result = await (await admin.PostAsync("/api/v1/tickets/search/rebuild", null)).ExpectAsync(HttpStatusCode.OK);
        var total = await Server.WithDbAsync(db => db.Tickets.CountAsync());
        Assert.Equal(total, result!["indexed"]!.GetValue<int>());
        Assert.Equal([two, one], await SearchAsync(agent, marker));
        Assert.Equal([one], await SearchAsync(agent, $"保修卡 {marker}"));
    }

    private static string Marker() => "mk" + Guid.NewGuid().ToString("N")[..10];

    private static string Phone() => "137" + Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task<string> CustomerAsync(string name, string phone)
    {
        var id = Desk.NewId("c");
        await (await (await Desk.IntegrationAsync()).PutJsonAsync($"/api/v1/customers/{id}", new { name, tier = "regular", phone, email = $"{id}@example.com" }))
            .ExpectAsync(HttpStatusCode.Created);
        return id;
    }

    private async Task<Guid> TicketAsync(string customer, string subject, string message, string? order = null)
    {
        var client = await Desk.IntegrationAsync();
        var body = await (await client.PostJsonAsync("/api/v1/tickets", new
        {
            channel = "web", customer = new { externalId = customer }, orderNumber = order, subject, message,
        })).ExpectAsync(HttpStatusCode.Created);
        return body!["id"]!.GetValue<Guid>();
    }

    private Task<long> TicketNumberAsync(Guid id) => Server.WithDbAsync(db => db.Tickets.Where(t => t.Id == id).Select(t => t.Number).SingleAsync());

    /// <summary>Runs the outbox until the indexer has handled every event: the index is written by a handler after commit.</summary>
    private Task IndexAsync()
    {
        var target = typeof(TicketSearchIndexer).FullName;
        return Server.DeliverAsync(m => m.Target == target, 0, "The search indexer's events");
    }

    private static async Task<List<Guid>> SearchAsync(HttpClient client, string q)
    {
        var page = await (await client.GetAsync($"/api/v1/tickets/search?q={Uri.EscapeDataString(q)}&limit=200")).ExpectAsync(HttpStatusCode.OK);
        return Ids(page!);
    }

    private static List<Guid> Ids(JsonNode page) => page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<Guid>()).ToList();
}
