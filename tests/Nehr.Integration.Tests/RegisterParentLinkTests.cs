using System.Net;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core;
using Nehr.Core.Access;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Records;
using Nehr.Core.Representatives;
using Task = System.Threading.Tasks.Task;
using Patient = Hl7.Fhir.Model.Patient;

namespace Nehr.Integration.Tests;

/// <summary>
/// The population register's parent–child link: a parent acts for a child under 14, until the 14th birthday (the
/// child's own sign-in then takes over, the parent keeps nothing), while the register links them.
/// </summary>
public sealed class RegisterParentLinkTests(FeedPortal feed) : IClassFixture<FeedPortal>
{
    private readonly FeedPortal _feed = feed;

    private DateOnly Today => NehrCalendar.Today(_feed.Portal.Clock.GetUtcNow().UtcDateTime);

    private static Patient Person(string nric, string name, DateOnly born, params string[] parents)
    {
        var patient = new FhirPerson(nric, name, born, Sex.Female).ToFhir();
        foreach (var parent in parents)
        {
            patient.Extension.Add(new Extension(FhirBundleReader.ParentExtension, new Identifier(FhirBundleReader.NricSystem, parent)));
        }

        return patient;
    }

    private async Task<Answer> RegisterAsync(params Patient[] patients) =>
        await _feed.PostAsync(FhirBundles.Json(FhirBundles.RegisterTransaction(patients)), await _feed.RegisterTokenAsync());

    private async Task<List<Representation>> LinksAsync(string childNric)
    {
        var child = await _feed.PersonAsync(childNric);
        await using var db = _feed.Portal.CreateDbContext();
        return await db.Representations.AsNoTracking().Where(r => r.PatientId == child!.Id).OrderBy(r => r.Id).ToListAsync();
    }

    [Fact]
    public async Task A_parent_acts_for_their_child_from_the_register_until_the_childs_14th_birthday_then_keeps_nothing()
    {
        var (parent, child) = (Fixture.NewNric(), Fixture.NewNric());
        var born = Today.AddDays(1).AddYears(-14); // 14 tomorrow, in Singapore

        var answer = await RegisterAsync(Person(parent, "Lim Mei Hua", new DateOnly(1985, 3, 2)), Person(child, "Lim Jia Hui", born, parent));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        var link = Assert.Single(await LinksAsync(child));
        Assert.Equal((RepresentationKind.ParentOfChild, RepresentationState.Active, RepresentativePowers.All), (link.Kind, link.State, link.Powers));
        Assert.Equal(Representation.FourteenthBirthdayUtc(born), link.EndsAtUtc);
        await using (var db = _feed.Portal.CreateDbContext())
        {
            var audited = await db.AuditEvents.SingleAsync(e => e.EventType == AuditEventTypes.RepresentationFromRegister && e.PatientId == link.PatientId);
            Assert.NotNull(audited.SystemId);
        }

        // The parent signs in as themselves and acts for the child.
        using (await _feed.Portal.SignedInPersonAsync(parent))
        {
        }

        await using var check = _feed.Portal.CreateDbContext();
        var parentUser = await check.Users.Where(u => u.PatientId == check.Patients.Where(p => p.Nric == Nric.Parse(parent)).Select(p => p.Id).Single()).Select(u => u.Id).SingleAsync();
        var acting = DemoWorld.As(parentUser) with { RepresentationId = link.Id };
        await _feed.Portal.WithAsync<RepresentationService, string>(s => s.BeginActingAsync(DemoWorld.As(parentUser), link.Id));
        Assert.Equal(link.PatientId, (await _feed.Portal.WithAsync<RecordGate, RecordView>(g => g.OpenOwnRecordAsync(acting))).Patient!.Id);

        // Midnight in Singapore: the child is 14. The parent's next request is refused, with the reason.
        _feed.Portal.Clock.SetUtcNow(new DateTimeOffset(link.EndsAtUtc!.Value, TimeSpan.Zero));
        var refused = await Assert.ThrowsAsync<AccessRefusedException>(() => _feed.Portal.WithAsync<RecordGate, RecordView>(g => g.OpenOwnRecordAsync(acting)));
        Assert.Contains("the child turned 14", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<AccessRefusedException>(() => _feed.Portal.WithAsync<RepresentationService, string>(s => s.BeginActingAsync(DemoWorld.As(parentUser), link.Id)));
        Assert.True(await check.AuditEvents.AnyAsync(e => e.EventType == AuditEventTypes.ActionRefused && e.ActorUserId == parentUser && e.PatientId == link.PatientId));
    }

    [Fact]
    public async Task The_register_sends_every_parent_each_time_a_parent_no_longer_sent_is_unlinked_and_a_second_sending_adds_nothing()
    {
        var (mother, father, child) = (Fixture.NewNric(), Fixture.NewNric(), Fixture.NewNric());
        var born = Today.AddYears(-6);
        await RegisterAsync(Person(child, "Ng Kai Xin", born, mother, father));
        await RegisterAsync(Person(child, "Ng Kai Xin", born, mother, father));
        Assert.Equal(2, (await LinksAsync(child)).Count(l => l.State == RepresentationState.Active));

        await RegisterAsync(Person(child, "Ng Kai Xin", born, mother));

        var links = await LinksAsync(child);
        Assert.Equal(RepresentationState.Active, links.Single(l => l.RepresentativeNric == Nric.Parse(mother)).State);
        var ended = links.Single(l => l.RepresentativeNric == Nric.Parse(father));
        Assert.Equal(RepresentationState.Ended, ended.State);
        Assert.Contains("no longer links", ended.EndReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_child_of_14_or_more_gets_no_parent_link()
    {
        var (parent, teen) = (Fixture.NewNric(), Fixture.NewNric());

        var answer = await RegisterAsync(Person(teen, "Goh Wei Ming", Today.AddYears(-14), parent));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Empty(await LinksAsync(teen));
    }

    [Theory]
    [InlineData("S1234567A", "check letter")]
    [InlineData("self", "cannot be their own parent")]
    [InlineData("no identifier", "valueIdentifier")]
    public async Task A_bad_parent_link_refuses_the_person_and_changes_nothing(string parent, string expected)
    {
        var child = Fixture.NewNric();
        var patient = Person(child, "Tan Xiao Ming", Today.AddYears(-3));
        patient.Extension.Add(parent switch
        {
            "self" => new Extension(FhirBundleReader.ParentExtension, new Identifier(FhirBundleReader.NricSystem, child)),
            "no identifier" => new Extension(FhirBundleReader.ParentExtension, new FhirString("her mother")),
            _ => new Extension(FhirBundleReader.ParentExtension, new Identifier(FhirBundleReader.NricSystem, parent)),
        });

        var answer = await RegisterAsync(patient);

        Assert.NotEqual(HttpStatusCode.OK, answer.Status);
        Assert.Contains(expected, answer.Body, StringComparison.Ordinal);
        Assert.Null(await _feed.PersonAsync(child));
    }
}
