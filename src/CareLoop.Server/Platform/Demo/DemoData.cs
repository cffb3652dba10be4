namespace CareLoop.Server.Platform.Demo;

/// <summary>How big a demo marketplace to generate.</summary>
public sealed record DemoScale(int Merchants, int Suppliers, int Products, int Customers, int Orders)
{
    public static DemoScale Default { get; } = new(8, 12, 300, 4000, 20000);

    public static DemoScale ForOrders(int orders) => orders <= Default.Orders
        ? Default with { Orders = orders, Customers = Math.Clamp(orders / 5, 10, Default.Customers) }
        : Default with { Customers = Math.Max(Default.Customers, orders / 5) , Orders = orders };
}

/// <summary>The deterministic demo marketplace and its logins.</summary>
public static partial class DemoData
{
    public const string Password = "CareLoop-demo-2026";

    public static string LoginsText =>
        "Demo logins (password " + Password + "): admin@demo.careloop, supervisor@demo.careloop, agent@demo.careloop, " +
        "merchant@demo.careloop, warehouse@demo.careloop, technician@demo.careloop, quality@demo.careloop, customer@demo.careloop";

    public static Task<bool> LoadIfEmptyAsync(IServiceProvider services, DemoScale scale, CancellationToken ct, TextWriter? progress = null) =>
        Task.FromResult(false);
}
