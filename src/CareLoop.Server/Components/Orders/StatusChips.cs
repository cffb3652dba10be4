using CareLoop.Domain.Commerce;
using MudBlazor;

namespace CareLoop.Server.Components.Orders;

/// <summary>Chip colours of order, shipment and tracking states.</summary>
public static class StatusChips
{
    public static Color Of(OrderStatus status) => status switch
    {
        OrderStatus.PendingPayment => Color.Warning,
        OrderStatus.Paid => Color.Info,
        OrderStatus.Shipped => Color.Primary,
        OrderStatus.Completed => Color.Success,
        _ => Color.Default,
    };

    public static Color Of(ShipmentStatus status) => status switch
    {
        ShipmentStatus.InTransit => Color.Info,
        ShipmentStatus.Delivered => Color.Success,
        ShipmentStatus.Exception => Color.Error,
        ShipmentStatus.Returned => Color.Warning,
        _ => Color.Default,
    };

    public static Color Of(TrackingStatus status) => status switch
    {
        TrackingStatus.PickedUp or TrackingStatus.InTransit => Color.Info,
        TrackingStatus.OutForDelivery => Color.Primary,
        TrackingStatus.Delivered => Color.Success,
        TrackingStatus.Exception or TrackingStatus.Lost => Color.Error,
        TrackingStatus.Returning => Color.Warning,
        _ => Color.Default,
    };
}
