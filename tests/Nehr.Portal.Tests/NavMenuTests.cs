using System.Security.Claims;
using Nehr.Core.Identity;
using Nehr.Portal.Components.Layout;
using Nehr.Portal.Security;

namespace Nehr.Portal.Tests;

public class NavMenuTests : MudTestContext
{
    [Theory]
    [InlineData(Roles.Patient, AreaRoutes.Patient)]
    [InlineData(Roles.Clinician, AreaRoutes.Clinician)]
    [InlineData(Roles.ProviderAdmin, AreaRoutes.ProviderAdmin)]
    [InlineData(Roles.MohAuditor, AreaRoutes.Moh)]
    [InlineData(Roles.MohAdmin, AreaRoutes.Moh)]
    public void Each_role_sees_only_its_own_area(string role, string area)
    {
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "someone@nehr.demo"), new Claim(ClaimTypes.Role, role)], "test"));

        var menu = Render<NavMenu>(p => p.Add(m => m.User, user));

        var areaLinks = menu.FindAll("a[href]")
            .Select(a => a.GetAttribute("href")!)
            .Where(h => h is AreaRoutes.Patient or AreaRoutes.Clinician or AreaRoutes.ProviderAdmin or AreaRoutes.Moh)
            .ToList();
        Assert.Equal([area], areaLinks);
        Assert.Contains(menu.FindAll("a"), a => a.TextContent.Contains("My account", StringComparison.Ordinal));
    }

    [Fact]
    public void An_anonymous_visitor_sees_sign_in_and_no_area()
    {
        var menu = Render<NavMenu>(p => p.Add(m => m.User, new ClaimsPrincipal(new ClaimsIdentity())));

        var link = Assert.Single(menu.FindAll("a[href]"));
        Assert.Equal("Account/Login", link.GetAttribute("href"));
    }
}
