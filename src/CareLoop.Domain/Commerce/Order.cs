using CareLoop.Domain.Common;

namespace CareLoop.Domain.Commerce;

/// <summary>An order; its external id is the platform-wide unique order number.</summary>
public sealed class Order : ExternalEntity
{
    public string Number => ExternalId;
    public Guid MerchantId { get; set; }
    public Guid CustomerId { get; set; }
    public OrderStatus Status { get; set; } = OrderStatus.Paid;
    public DateTime? PlacedAt { get; set; }
    public DateTime? PaidAt { get; set; }

    /// <summary>Refunds go back the same way.</summary>
    public PaymentMethod PaymentMethod { get; set; } = PaymentMethod.Alipay;

    public string Currency { get; set; } = Money.DefaultCurrency;
    public decimal ShippingFee { get; set; }

    /// <summary>Total paid: lines after discounts plus shipping.</summary>
    public decimal TotalPaid { get; set; }

    public bool ReturnShippingInsurance { get; set; }
    public Address DeliveryAddress { get; set; } = new();
    public List<OrderLine> Lines { get; set; } = [];

    /// <summary>Marks the order as newly received from the shop (raises <see cref="OrderReceived"/>).</summary>
    public void MarkReceived() => Raise(new OrderReceived(Id, ExternalId, MerchantId, CustomerId));
}

public sealed class OrderLine
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string ExternalId { get; set; } = "";
    public Guid OrderId { get; set; }
    public Guid ProductId { get; set; }
    public Guid? LotId { get; set; }
    public int Quantity { get; set; }

    /// <summary>Unit price actually paid after discounts.</summary>
    public decimal UnitPrice { get; set; }

    /// <summary>The buyer confirmed at purchase that this excludable product cannot be returned without reason.</summary>
    public bool ExclusionConfirmed { get; set; }
}

public sealed class Shipment : ExternalEntity
{
    public Guid OrderId { get; set; }
    public Guid MerchantId { get; set; }
    public Guid CustomerId { get; set; }
    public string Carrier { get; set; } = "";
    public string TrackingNumber { get; set; } = "";
    public string? OriginProvince { get; set; }
    public string? DestinationProvince { get; set; }
    public ShipmentStatus Status { get; set; } = ShipmentStatus.Created;
    public DateTime? ShippedAt { get; set; }
    public DateOnly? PromisedDeliveryDate { get; set; }
    public DateTime? DeliveredAt { get; set; }
    public List<ShipmentLine> Lines { get; set; } = [];
}

public sealed class ShipmentLine
{
    public string OrderLineExternalId { get; set; } = "";
    public int Quantity { get; set; }
}

/// <summary>A carrier's tracking scan; kept even before its shipment is known.</summary>
public sealed class TrackingEvent
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid? ShipmentId { get; set; }
    public string Carrier { get; set; } = "";
    public string TrackingNumber { get; set; } = "";
    public string CarrierEventId { get; set; } = "";
    public DateTime OccurredAt { get; set; }
    public string? Place { get; set; }
    public TrackingStatus Status { get; set; }
    public string? CarrierCode { get; set; }
    public string? CarrierText { get; set; }
    public DateTime ReceivedAt { get; set; }
}

/// <summary>An order reached CareLoop for the first time.</summary>
public sealed record OrderReceived(Guid OrderId, string Number, Guid MerchantId, Guid CustomerId) : IDomainEvent;
