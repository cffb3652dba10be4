using System.Reflection;

namespace CareLoop.Domain.Tests;

public class SmokeTests
{
    [Fact]
    public void DomainAssemblyIsReferencedAndLoadable()
    {
        var domain = Assembly.Load(new AssemblyName("CareLoop.Domain"));

        Assert.Equal("CareLoop.Domain", domain.GetName().Name);
    }
}
