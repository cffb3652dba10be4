using CareLoop.Domain.Commerce;
using CareLoop.Server.Platform.Data;
using CareLoop.Server.Platform.Demo;
using CareLoop.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CareLoop.Server.Tests.Platform;

public sealed class BulkInserterTestsSqlite(SqliteServer fixture) : BulkInserterTests(fixture), IClassFixture<SqliteServer>;

public sealed class BulkInserterTestsPostgres(PostgresServer fixture) : BulkInserterTests(fixture), IClassFixture<PostgresServer>;

/// <summary>Rows written by the bulk inserter read back through EF exactly as written (conversions, owned and JSON columns).</summary>
public abstract class BulkInserterTests(ServerFixture fixture)
{
    private CareLoopServer Server => fixture.Server;

    [Fact]
    public async Task EveryCommerceRecord_RoundTripsThroughTheBulkPath()
    {
        var generator = new DemoGenerator(new DemoScale(2, 2, 12, 5, 20), new DateTime(2026, 5, 1, 3, 4, 5, DateTimeKind.Utc));
        // The generator's external ids repeat across runs: give this test's records their own.
        var tag = Guid.NewGuid().ToString("N")[..6];
        foreach (var m in generator.Merchants) m.ExternalId += tag;
        foreach (var s in generator.Suppliers) s.ExternalId += tag;
        foreach (var c in generator.Categories) c.ExternalId += tag;
        foreach (var p in generator.Products) p.ExternalId += tag;
        foreach (var l in generator.Lots) l.ExternalId += tag;
        foreach (var c in generator.Customers) { c.ExternalId += tag; c.Phone += tag; }
        var batch = generator.OrderBatches(1000).Single();
        foreach (var o in batch.Orders) o.ExternalId += tag;
        foreach (var l in batch.Lines) l.ExternalId += tag;
        foreach (var s in batch.Shipments) { s.ExternalId += tag; s.TrackingNumber += tag; }
        foreach (var e in batch.Events) { e.TrackingNumber += tag; e.CarrierEventId += tag; }

        await Server.InScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<CareLoopDbContext>();
            var bulk = new BulkInserter(db);
            await using var tx = await db.Database.BeginTransactionAsync();
            await bulk.InsertAsync(generator.Merchants, default);
            await bulk.InsertAsync(generator.Suppliers, default);
            await bulk.InsertAsync(generator.Categories, default);
            await bulk.InsertAsync(generator.Products, default);
            await bulk.InsertAsync(generator.Lots, default);
            await bulk.InsertAsync(generator.Customers, default);
            await bulk.InsertAsync(batch.Orders, default);
            await bulk.InsertAsync(batch.Lines, default);
            await bulk.InsertAsync(batch.Shipments, default);
            await bulk.InsertAsync(batch.Events, default);
            await tx.CommitAsync();
            return 0;
        });

        await Server.WithDbAsync(async db =>
        {
            var supplier = generator.Suppliers[0];
            var storedSupplier = await db.Suppliers.SingleAsync(s => s.ExternalId == supplier.ExternalId);
            Assert.Equal(supplier.Status, storedSupplier.Status);
            Assert.Equal(supplier.Certificates.Select(c => (c.Name, c.Number, c.ExpiresOn)), storedSupplier.Certificates.Select(c => (c.Name, c.Number, c.ExpiresOn)));
            Assert.Equal(supplier.QualityAgreementExpiresOn, storedSupplier.QualityAgreementExpiresOn);

            var product = generator.Products[3];
            var storedProduct = await db.Products.SingleAsync(p => p.Id == product.Id);
            Assert.Equal((product.Price, product.Status, product.CategoryId, product.MerchantId), (storedProduct.Price, storedProduct.Status, storedProduct.CategoryId, storedProduct.MerchantId));
            Assert.Equal(product.Attributes, storedProduct.Attributes);

            var customer = generator.Customers[1];
            var storedCustomer = await db.Customers.SingleAsync(c => c.ExternalId == customer.ExternalId);
            Assert.Equal((customer.Tier, customer.RiskLevel, customer.Birthday, customer.MarketingConsentAt), (storedCustomer.Tier, storedCustomer.RiskLevel, storedCustomer.Birthday, storedCustomer.MarketingConsentAt));
            Assert.Equal(DateTimeKind.Utc, storedCustomer.CreatedAt.Kind);
            Assert.Equal(customer.Addresses.Select(a => (a.Province, a.City, a.District, a.Line)), storedCustomer.Addresses.Select(a => (a.Province, a.City, a.District, a.Line)));

            var order = batch.Orders[0];
            var storedOrder = await db.Orders.Include(o => o.Lines).SingleAsync(o => o.ExternalId == order.ExternalId);
            Assert.Equal((order.TotalPaid, order.ShippingFee, order.PaymentMethod, order.Status), (storedOrder.TotalPaid, storedOrder.ShippingFee, storedOrder.PaymentMethod, storedOrder.Status));
            Assert.Equal(order.PaidAt!.Value, storedOrder.PaidAt!.Value, TimeSpan.FromMilliseconds(1));
            Assert.Equal((order.DeliveryAddress.Province, order.DeliveryAddress.City), (storedOrder.DeliveryAddress.Province, storedOrder.DeliveryAddress.City));
            Assert.Equal(batch.Lines.Count(l => l.OrderId == order.Id), storedOrder.Lines.Count);

            var shipment = batch.Shipments[0];
            var storedShipment = await db.Shipments.SingleAsync(s => s.ExternalId == shipment.ExternalId);
            Assert.Equal((shipment.Status, shipment.PromisedDeliveryDate), (storedShipment.Status, storedShipment.PromisedDeliveryDate));
            Assert.Equal(shipment.Lines.Select(l => (l.OrderLineExternalId, l.Quantity)), storedShipment.Lines.Select(l => (l.OrderLineExternalId, l.Quantity)));
            Assert.Equal(batch.Events.Count(e => e.ShipmentId == shipment.Id), await db.TrackingEvents.CountAsync(e => e.ShipmentId == shipment.Id));
            return 0;
        });
    }
}
