using Nehr.Core.Administration;
using Nehr.Core.Records;

namespace Nehr.Core.Tests;

/// <summary>What the portal shows for a code is words, not the code's name (a new enum value needs its text).</summary>
public class DisplayTextTests
{
    public static TheoryData<ProviderType> ProviderTypeValues => [.. Enum.GetValues<ProviderType>()];

    public static TheoryData<ProfessionalRole> ProfessionalRoleValues => [.. Enum.GetValues<ProfessionalRole>()];

    [Theory]
    [MemberData(nameof(ProviderTypeValues))]
    public void Every_provider_type_reads_as_words(ProviderType type) =>
        Assert.Matches("^[A-Z][a-z]+( [a-z]+)*$", ProviderTypes.Display(type));

    [Theory]
    [MemberData(nameof(ProfessionalRoleValues))]
    public void Every_professional_role_reads_as_words(ProfessionalRole role) =>
        Assert.Matches("^[A-Z][a-z]+( [a-z]+)*$", ProfessionalRoles.Display(role));

    [Theory]
    [InlineData("final", "Final")]
    [InlineData("entered-in-error", "Entered in error")]
    [InlineData("in-progress", "In progress")]
    [InlineData("onleave", "On leave")]
    [InlineData("not-done", "Not done")]
    [InlineData("some-local-code", "some-local-code")]
    [InlineData(null, null)]
    [InlineData(" ", null)]
    public void A_source_code_reads_as_words(string? code, string? words) => Assert.Equal(words, SourceCodes.Display(code));
}
