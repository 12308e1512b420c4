using Nehr.Core.Identity;

namespace Nehr.Core.Tests;

/// <summary>The subject of a national identity ID token decides whose record opens: it is taken exactly as issued, or refused.</summary>
public sealed class NationalIdentitySubjectTests
{
    [Theory]
    [InlineData("s=S1234567D,u=2d1c1f5e-6a4b-4f7e-9c0d-1b2a3c4d5e6f", "S1234567D")]
    [InlineData("u=2d1c1f5e-6a4b-4f7e-9c0d-1b2a3c4d5e6f,s=T1242486D", "T1242486D")]
    [InlineData("s=F1234567N,u=2d1c1f5e-6a4b-4f7e-9c0d-1b2a3c4d5e6f", "F1234567N")]
    public void The_nric_or_fin_and_the_uuid_are_read_from_s_and_u(string sub, string nric)
    {
        Assert.True(NationalIdentitySubject.TryParse(sub, out var subject, out var error), error);
        Assert.Equal(nric, subject.Nric.Value);
        Assert.Equal(Guid.Parse("2d1c1f5e-6a4b-4f7e-9c0d-1b2a3c4d5e6f"), subject.Uuid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2d1c1f5e-6a4b-4f7e-9c0d-1b2a3c4d5e6f")]
    [InlineData("s=S1234567A,u=2d1c1f5e-6a4b-4f7e-9c0d-1b2a3c4d5e6f")] // wrong check letter
    [InlineData("s=s1234567d,u=2d1c1f5e-6a4b-4f7e-9c0d-1b2a3c4d5e6f")] // not as issued
    [InlineData("s= S1234567D,u=2d1c1f5e-6a4b-4f7e-9c0d-1b2a3c4d5e6f")]
    [InlineData("s=X1234567D,u=2d1c1f5e-6a4b-4f7e-9c0d-1b2a3c4d5e6f")]
    [InlineData("s=S1234567D")]
    [InlineData("s=S1234567D,u=not-a-uuid")]
    [InlineData("s=S1234567D,s=T1242486D,u=2d1c1f5e-6a4b-4f7e-9c0d-1b2a3c4d5e6f")] // two people in one subject
    [InlineData("s=S1234567D,u=2d1c1f5e-6a4b-4f7e-9c0d-1b2a3c4d5e6f,x=1")]
    public void Anything_else_is_refused_with_a_reason(string? sub)
    {
        Assert.False(NationalIdentitySubject.TryParse(sub, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }
}
