using Nehr.Core.Records;

namespace Nehr.Core.Tests;

/// <summary>An entry sent again takes its new content, but only from the same source, kind and patient.</summary>
public sealed class SupersedeTests
{
    private static readonly DateTime Then = new(2026, 11, 1, 8, 0, 0, DateTimeKind.Utc);

    private static EntrySource Source(int patientId = 1, int? systemId = 3, string identifier = "urn:emr|allergy-1", string? status = "active") =>
        new(patientId, 2, systemId, identifier, Then, Then.AddHours(1), status);

    private static AllergyEntry Allergy(EntrySource source, string substance = "Penicillin", string? reaction = "Rash") =>
        new(source, substance, AllergyCategory.Medication, AllergyCriticality.High, reaction, "confirmed");

    [Fact]
    public void The_entry_takes_the_new_content_and_status_and_keeps_its_identity()
    {
        var filed = Allergy(Source());
        var newer = Allergy(Source(status: "inactive") with { OccurredAtUtc = Then.AddDays(1), ContributedAtUtc = Then.AddDays(2) }, "Amoxicillin", reaction: null);

        filed.Supersede(newer);

        Assert.Equal("Amoxicillin", filed.Substance);
        Assert.Null(filed.Reaction);
        Assert.Equal("inactive", filed.Status);
        Assert.Equal(Then.AddDays(1), filed.OccurredAtUtc);
        Assert.Equal(Then.AddDays(2), filed.ContributedAtUtc);
        Assert.Equal(1, filed.PatientId);
        Assert.Equal("urn:emr|allergy-1", filed.SourceIdentifier);
    }

    [Fact]
    public void A_withdrawn_entry_sent_again_is_back()
    {
        var filed = Allergy(Source());
        filed.Withdraw(Then.AddDays(1));

        filed.Supersede(Allergy(Source()));

        Assert.False(filed.IsWithdrawn);
        Assert.Equal("confirmed", filed.Verification);
    }

    public static TheoryData<string, EntrySource> Others => new()
    {
        { "another patient", Source(patientId: 9) },
        { "another system", Source(systemId: 4) },
        { "keyed in, no system", Source(systemId: null) },
        { "another identifier", Source(identifier: "urn:emr|allergy-2") },
    };

    [Theory]
    [MemberData(nameof(Others))]
    public void Only_the_same_source_identifier_and_patient_supersede(string what, EntrySource other)
    {
        var filed = Allergy(Source());

        var refused = Assert.Throws<DomainException>(() => filed.Supersede(Allergy(other, "Aspirin")));

        Assert.Contains("same patient", refused.Message, StringComparison.Ordinal);
        Assert.True(filed.Substance == "Penicillin", $"{what}: the filed entry changed");
    }

    [Fact]
    public void Another_kind_of_entry_never_supersedes()
    {
        var filed = Allergy(Source());
        var vaccination = new VaccinationEntry(Source(), "Influenza", 1);

        Assert.Throws<DomainException>(() => filed.Supersede(vaccination));
        Assert.Equal("Penicillin", filed.Substance);
    }
}
