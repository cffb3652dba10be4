using System.Net;
using CareLoop.Server.Modules.Commerce;
using CareLoop.Server.Platform.Auth;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CareLoop.Server.Tests.Commerce;

public sealed class FileImportTestsSqlite(SqliteServer fixture) : FileImportTests(fixture), IClassFixture<SqliteServer>;

public sealed class FileImportTestsPostgres(PostgresServer fixture) : FileImportTests(fixture), IClassFixture<PostgresServer>;

/// <summary><c>careloop import</c>: CSV and JSON lines, all-or-nothing per file, errors naming the line.</summary>
public abstract class FileImportTests(ServerFixture fixture)
{
    protected CareLoopServer Server => fixture.Server;

    private async Task<(int Code, string Output)> ImportAsync(string kind, string extension, string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"careloop-import-{Guid.NewGuid():N}{extension}");
        await File.WriteAllTextAsync(path, content);
        try
        {
            using var output = new StringWriter();
            var code = await Server.InScopeAsync(sp => FileImport.RunAsync(sp, kind, new FileInfo(path), output, CancellationToken.None));
            return (code, output.ToString());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async Task<(string Merchant, string Customer)> SeedAsync(string tag)
    {
        var client = await Server.ClientAsync(Roles.Integration);
        await (await client.PutJsonAsync($"/api/v1/merchants/m-{tag}", new { name = "Shop" })).ExpectAsync(HttpStatusCode.Created);
        await (await client.PutJsonAsync($"/api/v1/customers/c-{tag}", new { name = "Han Meimei", phone = "13800000000" })).ExpectAsync(HttpStatusCode.Created);
        return ($"m-{tag}", $"c-{tag}");
    }

    private static string Tag() => Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Csv_ImportsProductsAndOrdersWithLines()
    {
        var t = Tag();
        var (m, c) = await SeedAsync(t);
        var products = $"""
            externalId,merchant,name,price,currency,status,warrantyMonths
            p1-{t},{m},Kettle,129.00,CNY,on_sale,12
            p2-{t},{m},"Cup, large",15.50,CNY,,
            """;
        var (code, output) = await ImportAsync("products", ".csv", products);
        Assert.True(code == 0, output);
        Assert.Contains("2 created", output);

        var orders = $"""
            externalId,merchant,customer,paidAt,paymentMethod,currency,shippingFee,province,city,lineExternalId,product,quantity,unitPrice,exclusionConfirmed
            SO1-{t},{m},{c},2026-04-30T10:00:00+08:00,alipay,CNY,10.00,浙江省,杭州市,L1-{t},p1-{t},1,99.00,false
            SO1-{t},{m},{c},2026-04-30T10:00:00+08:00,alipay,CNY,10.00,浙江省,杭州市,L2-{t},p2-{t},2,15.50,true
            SO2-{t},{m},{c},2026-04-30T11:00:00+08:00,wechat_pay,CNY,0,浙江省,杭州市,L3-{t},p2-{t},1,15.50,
            """;
        (code, output) = await ImportAsync("orders", ".csv", orders);
        Assert.True(code == 0, output);
        var order = await Server.WithDbAsync(db => db.Orders.Include(o => o.Lines).SingleAsync(o => o.ExternalId == $"SO1-{t}"));
        Assert.Equal(2, order.Lines.Count);
        Assert.Equal(140m, order.TotalPaid);
        Assert.Equal("杭州市", order.DeliveryAddress.City);

        (code, output) = await ImportAsync("orders", ".csv", orders);
        Assert.True(code == 0, output);
        Assert.Contains("2 unchanged", output);
    }

    [Fact]
    public async Task JsonLines_ImportsCustomersAndCategories()
    {
        var t = Tag();
        var customers = $$"""
            {"externalId":"c1-{{t}}","name":"Wang","phone":"13900000001","email":"w@example.com"}

            {"externalId":"c2-{{t}}","name":"Zhao","tier":"vip","addresses":[{"province":"广东省","city":"深圳市"}]}
            """;
        var (code, output) = await ImportAsync("customers", ".jsonl", customers);
        Assert.True(code == 0, output);
        var vip = await Server.WithDbAsync(db => db.Customers.SingleAsync(c => c.ExternalId == $"c2-{t}"));
        Assert.Equal(CareLoop.Domain.Commerce.CustomerTier.Vip, vip.Tier);
        Assert.Equal("深圳市", vip.Addresses.Single().City);

        var categories = $$"""
            {"externalId":"k1-{{t}}","name":"Home"}
            {"externalId":"k2-{{t}}","name":"Kitchen","parent":"k1-{{t}}"}
            """;
        (code, output) = await ImportAsync("categories", ".jsonl", categories);
        Assert.True(code == 0, output);
        var kitchen = await Server.WithDbAsync(db => db.Categories.SingleAsync(c => c.ExternalId == $"k2-{t}"));
        Assert.Equal(2, kitchen.Path.Split('/').Length);
    }

    [Fact]
    public async Task Csv_WithAnErrorOnLine3_NamesTheLine_AndStoresNothing()
    {
        var t = Tag();
        var (m, _) = await SeedAsync(t);
        var products = $"""
            externalId,merchant,name,price
            p1-{t},{m},Kettle,129.00
            p2-{t},nobody-{t},Cup,15.50
            p3-{t},{m},Plate,5.00
            """;
        var (code, output) = await ImportAsync("products", ".csv", products);
        Assert.Equal(1, code);
        Assert.Contains($"line 3: merchant: no merchant with external id 'nobody-{t}'", output);
        Assert.False(await Server.WithDbAsync(db => db.Products.AnyAsync(p => p.ExternalId.EndsWith(t))));
    }

    [Fact]
    public async Task JsonLines_WithABadValueOnLine3_NamesTheLineAndField_AndStoresNothing()
    {
        var t = Tag();
        var (m, _) = await SeedAsync(t);
        var lines = $$$"""
            {"externalId":"p1-{{{t}}}","merchant":"{{{m}}}","name":"A","price":{"amount":"1.00","currency":"CNY"}}
            {"externalId":"p2-{{{t}}}","merchant":"{{{m}}}","name":"B","price":{"amount":"1.00","currency":"CNY"}}
            {"externalId":"p3-{{{t}}}","merchant":"{{{m}}}","name":"C","price":{"amount":"1.00","currency":"CNY"},"status":"sold_out"}
            """;
        var (code, output) = await ImportAsync("products", ".jsonl", lines);
        Assert.Equal(1, code);
        Assert.Contains("line 3: status:", output);
        Assert.False(await Server.WithDbAsync(db => db.Products.AnyAsync(p => p.ExternalId.EndsWith(t))));
    }

    [Fact]
    public async Task TrackingEvents_ImportFromCsvAndJsonLines_PendingUntilTheShipmentArrives_AndDuplicatesIgnored()
    {
        var t = Tag();
        var csv = $"""
            carrier,trackingNumber,carrierEventId,occurredAt,status,place,carrierText
            sf,SF{t},e1,2026-04-30T10:00:00+08:00,picked_up,杭州,快递员已揽收
            sf,SF{t},e2,2026-05-01T09:00:00+08:00,in_transit,上海转运中心,快件已到达转运中心
            """;
        var (code, output) = await ImportAsync("tracking-events", ".csv", csv);
        Assert.True(code == 0, output);
        Assert.Contains("2 pending", output);

        var jsonl = $$"""
            {"carrier":"sf","trackingNumber":"SF{{t}}","carrierEventId":"e2","occurredAt":"2026-05-01T09:00:00+08:00","status":"in_transit"}
            {"carrier":"sf","trackingNumber":"SF{{t}}","carrierEventId":"e3","occurredAt":"2026-05-02T09:00:00+08:00","status":"delivered"}
            """;
        (code, output) = await ImportAsync("tracking-events", ".jsonl", jsonl);
        Assert.True(code == 0, output);
        Assert.Contains("1 duplicates", output);

        var stored = await Server.WithDbAsync(db => db.TrackingEvents.CountAsync(e => e.TrackingNumber == $"SF{t}" && e.ShipmentId == null));
        Assert.Equal(3, stored);
    }

    [Fact]
    public async Task TrackingEvents_WithABadLine_NameTheLine_AndStoreNothing()
    {
        var t = Tag();
        var csv = $"""
            carrier,trackingNumber,carrierEventId,occurredAt,status
            yto,YT{t},e1,2026-04-30T10:00:00+08:00,picked_up
            yto,YT{t},e2,2026-04-30T11:00:00,in_transit
            """;

        var (code, output) = await ImportAsync("tracking-events", ".csv", csv);

        Assert.Equal(1, code);
        Assert.Contains("line 3: occurredAt", output);
        Assert.Equal(0, await Server.WithDbAsync(db => db.TrackingEvents.CountAsync(e => e.TrackingNumber == $"YT{t}")));
    }
}
