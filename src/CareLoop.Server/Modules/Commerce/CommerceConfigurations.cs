using System.Text.Json;
using CareLoop.Domain.Commerce;
using CareLoop.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CareLoop.Server.Modules.Commerce;

internal static class ExternalEntityConfiguration
{
    /// <summary>What every record keyed by an external system's id shares: a unique, bounded external id and the version as concurrency token.</summary>
    public static EntityTypeBuilder<T> IsExternal<T>(this EntityTypeBuilder<T> b) where T : CareLoop.Domain.Common.ExternalEntity
    {
        b.HasIndex(x => x.ExternalId).IsUnique();
        b.Property(x => x.ExternalId).HasMaxLength(100);
        b.Property(x => x.Version).IsConcurrencyToken();
        return b;
    }
}

internal sealed class MerchantConfiguration : IEntityTypeConfiguration<Merchant>
{
    public void Configure(EntityTypeBuilder<Merchant> b)
    {
        b.IsExternal();
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Currency).HasMaxLength(3);
    }
}

internal sealed class SupplierConfiguration : IEntityTypeConfiguration<Supplier>
{
    public void Configure(EntityTypeBuilder<Supplier> b)
    {
        b.IsExternal();
        b.Property(x => x.Name).HasMaxLength(200);
        b.OwnsMany(x => x.Certificates, c => c.ToJson());
        b.HasIndex(x => x.Status);
    }
}

internal sealed class CategoryConfiguration : IEntityTypeConfiguration<Category>
{
    public void Configure(EntityTypeBuilder<Category> b)
    {
        b.IsExternal();
        b.Property(x => x.Path).HasMaxLength(1000);
        b.HasIndex(x => x.Path);
        b.HasOne<Category>().WithMany().HasForeignKey(x => x.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> b)
    {
        b.IsExternal();
        b.Property(x => x.Name).HasMaxLength(300);
        b.Property(x => x.Currency).HasMaxLength(3);
        b.HasOne<Merchant>().WithMany().HasForeignKey(x => x.MerchantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Supplier>().WithMany().HasForeignKey(x => x.SupplierId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Category>().WithMany().HasForeignKey(x => x.CategoryId).OnDelete(DeleteBehavior.Restrict);
        b.Property(x => x.Attributes)
            .HasConversion(
                v => JsonSerializer.Serialize(v, (JsonSerializerOptions?)null),
                v => JsonSerializer.Deserialize<Dictionary<string, string>>(v, (JsonSerializerOptions?)null) ?? new Dictionary<string, string>())
            .Metadata.SetValueComparer(CareLoopDbContext.DictionaryComparer);
    }
}

internal sealed class LotConfiguration : IEntityTypeConfiguration<Lot>
{
    public void Configure(EntityTypeBuilder<Lot> b)
    {
        b.IsExternal();
        b.Property(x => x.BatchNumber).HasMaxLength(100);
        b.HasOne<Product>().WithMany().HasForeignKey(x => x.ProductId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Supplier>().WithMany().HasForeignKey(x => x.SupplierId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CustomerConfiguration : IEntityTypeConfiguration<Customer>
{
    public void Configure(EntityTypeBuilder<Customer> b)
    {
        b.IsExternal();
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Phone).HasMaxLength(40);
        b.Property(x => x.Email).HasMaxLength(200);
        b.Property(x => x.PreferredLanguage).HasMaxLength(10);
        b.HasIndex(x => x.Phone);
        b.OwnsMany(x => x.Addresses, a => a.ToJson());
    }
}

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> b)
    {
        b.IsExternal();
        b.Ignore(x => x.Number);
        b.Property(x => x.Currency).HasMaxLength(3);
        b.HasOne<Merchant>().WithMany().HasForeignKey(x => x.MerchantId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Customer>().WithMany().HasForeignKey(x => x.CustomerId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.CustomerId, x.PaidAt });
        b.HasIndex(x => new { x.MerchantId, x.PaidAt });
        b.OwnsOne(x => x.DeliveryAddress, a =>
        {
            a.Property(p => p.Province).HasMaxLength(50);
            a.Property(p => p.City).HasMaxLength(50);
        });
        b.HasMany(x => x.Lines).WithOne().HasForeignKey(l => l.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(x => x.Lines).AutoInclude(false);
    }
}

internal sealed class OrderLineConfiguration : IEntityTypeConfiguration<OrderLine>
{
    public void Configure(EntityTypeBuilder<OrderLine> b)
    {
        b.HasIndex(x => x.ExternalId).IsUnique();
        b.Property(x => x.ExternalId).HasMaxLength(100);
        b.HasOne<Product>().WithMany().HasForeignKey(x => x.ProductId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Lot>().WithMany().HasForeignKey(x => x.LotId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.ProductId);
    }
}

internal sealed class ShipmentConfiguration : IEntityTypeConfiguration<Shipment>
{
    public void Configure(EntityTypeBuilder<Shipment> b)
    {
        b.IsExternal();
        b.Property(x => x.Carrier).HasMaxLength(40);
        b.Property(x => x.TrackingNumber).HasMaxLength(60);
        b.HasIndex(x => new { x.Carrier, x.TrackingNumber }).IsUnique();
        b.HasIndex(x => x.OrderId);
        b.HasIndex(x => new { x.Status, x.PromisedDeliveryDate });
        b.HasOne<Order>().WithMany().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Restrict);
        b.OwnsMany(x => x.Lines, l => l.ToJson());
    }
}

internal sealed class TrackingEventConfiguration : IEntityTypeConfiguration<TrackingEvent>
{
    public void Configure(EntityTypeBuilder<TrackingEvent> b)
    {
        b.Property(x => x.Carrier).HasMaxLength(40);
        b.Property(x => x.TrackingNumber).HasMaxLength(60);
        b.Property(x => x.CarrierEventId).HasMaxLength(100);
        b.HasIndex(x => new { x.Carrier, x.TrackingNumber, x.CarrierEventId }).IsUnique();
        b.HasIndex(x => new { x.ShipmentId, x.OccurredAt });
        b.HasOne<Shipment>().WithMany().HasForeignKey(x => x.ShipmentId).OnDelete(DeleteBehavior.Cascade);
    }
}
