using System.Security.Claims;
using Nehr.Core.Identity;
using Nehr.Portal.Security;

namespace Nehr.Portal.Tests;

public class AreaRoutesTests
{
    private static ClaimsPrincipal User(params string[] roles) =>
        new(new ClaimsIdentity(roles.Select(r => new Claim(ClaimTypes.Role, r)), "test"));

    [Theory]
    [InlineData(Roles.Patient, AreaRoutes.Patient)]
    [InlineData(Roles.Clinician, AreaRoutes.Clinician)]
    [InlineData(Roles.ProviderAdmin, AreaRoutes.ProviderAdmin)]
    [InlineData(Roles.MohAuditor, AreaRoutes.Moh)]
    [InlineData(Roles.MohAdmin, AreaRoutes.Moh)]
    public void A_signed_in_person_lands_in_their_area(string role, string area)
    {
        Assert.Equal(area, AreaRoutes.HomeFor(User(role)));
    }

    [Fact]
    public void An_account_without_a_portal_role_has_no_area()
    {
        Assert.Null(AreaRoutes.HomeFor(User()));
    }
}
