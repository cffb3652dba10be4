using Microsoft.AspNetCore.Identity;

namespace CareLoop.Server.Platform.Auth;

public static class RoleSeed
{
    public static async Task EnsureRolesAsync(IServiceProvider services, CancellationToken ct)
    {
        var roles = services.GetRequiredService<RoleManager<Role>>();
        foreach (var name in Roles.All)
        {
            ct.ThrowIfCancellationRequested();
            if (!await roles.RoleExistsAsync(name))
            {
                try
                {
                    await roles.CreateAsync(new Role(name));
                }
                catch (Microsoft.EntityFrameworkCore.DbUpdateException)
                {
                    // Another instance starting at the same time may have created it first: forget the failed insert.
                    services.GetRequiredService<Data.CareLoopDbContext>().ChangeTracker.Clear();
                    if (!await roles.RoleExistsAsync(name))
                    {
                        throw;
                    }
                }
            }
        }
    }
}
