using System.Security.Claims;
using CareLoop.Server.Platform.Audit;
using CareLoop.Server.Platform.Auth;
using Microsoft.AspNetCore.Components.Authorization;

namespace CareLoop.Server.Components;

/// <summary>
/// Runs work against services resolved in a fresh DI scope bound to the signed-in user. Interactive components live in
/// the circuit's scope, where the per-request <see cref="CallerScope"/> is never bound (it would see every merchant's
/// rows); pages therefore resolve their query and command services through this helper, once per call.
/// </summary>
public static class UserScopedServices
{
    /// <summary>Resolves <typeparamref name="TService"/> in a new scope bound to the current user and runs <paramref name="work"/>.</summary>
    /// <exception cref="InvalidOperationException">No user is signed in.</exception>
    public static async Task<TResult> ForUserAsync<TService, TResult>(
        this IServiceScopeFactory scopes, AuthenticationStateProvider auth, Func<TService, Task<TResult>> work)
        where TService : notnull
    {
        var user = (await auth.GetAuthenticationStateAsync()).User;
        return await scopes.ForUserAsync(user, work);
    }

    /// <summary>Resolves <typeparamref name="TService"/> in a new scope bound to <paramref name="user"/> and runs <paramref name="work"/>.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="user"/> is not authenticated.</exception>
    public static Task<TResult> ForUserAsync<TService, TResult>(
        this IServiceScopeFactory scopes, ClaimsPrincipal user, Func<TService, Task<TResult>> work)
        where TService : notnull =>
        scopes.ForUserAsync(user, services => work(services.GetRequiredService<TService>()));

    /// <summary>Runs <paramref name="work"/> with the services of a new scope bound to the current user.</summary>
    /// <exception cref="InvalidOperationException">No user is signed in.</exception>
    public static async Task<TResult> ForUserAsync<TResult>(
        this IServiceScopeFactory scopes, AuthenticationStateProvider auth, Func<IServiceProvider, Task<TResult>> work)
    {
        var user = (await auth.GetAuthenticationStateAsync()).User;
        return await scopes.ForUserAsync(user, work);
    }

    /// <summary>Runs <paramref name="work"/> with the services of a new scope bound to <paramref name="user"/>.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="user"/> is not authenticated.</exception>
    public static async Task<TResult> ForUserAsync<TResult>(
        this IServiceScopeFactory scopes, ClaimsPrincipal user, Func<IServiceProvider, Task<TResult>> work)
    {
        // An unbound scope sees everything: refuse rather than fall back to it.
        if (user.Identity?.IsAuthenticated != true)
        {
            throw new InvalidOperationException("No signed-in user to scope the services to.");
        }
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        services.GetRequiredService<CallerScope>().BindTo(user);
        services.GetRequiredService<CurrentActor>().Name = CareLoopClaims.ActorName(user);
        return await work(services);
    }
}
