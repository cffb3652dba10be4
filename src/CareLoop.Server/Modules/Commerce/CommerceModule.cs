namespace CareLoop.Server.Modules.Commerce;

/// <summary>Commerce core: merchants, suppliers, categories, products, lots, customers, orders, shipments, tracking.</summary>
public static class CommerceModule
{
    public static IServiceCollection AddCommerce(this IServiceCollection services) => services.AddScoped<OrderQueries>();

    public static IEndpointRouteBuilder MapCommerce(this IEndpointRouteBuilder app) => app;
}
