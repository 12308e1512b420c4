using System.Net;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Administration;
using Nehr.Core.Audit;
using Nehr.Core.Contribution;
using Nehr.Core.Data.Demo;
using Nehr.Core.Notifications;
using Nehr.Core.Records;
using Task = System.Threading.Tasks.Task;

namespace Nehr.Integration.Tests;

/// <summary>
/// The person register: a provider's feed enrols a person it names for the first time (demographics not yet
/// confirmed); the population register's feed — a system of its own kind — is the authority: it creates persons,
/// confirms and corrects demographics, records deaths and NRIC/FIN changes, and its word wins.
/// </summary>
public sealed class PersonRegisterTests(FeedPortal feed) : IClassFixture<FeedPortal>
{
    private static FhirPerson NewPerson(string name, Sex sex, int year, char series = 'S') =>
        new(Fixture.NewNric(series), name, new DateOnly(year, 7, 15), sex);

    private static Hl7.Fhir.Model.Patient WithRace(Hl7.Fhir.Model.Patient patient, string race)
    {
        patient.Extension.Add(new Extension(FhirBundleReader.RaceExtension, new Code(race)));
        return patient;
    }

    private Task<Answer> RegisterAsync(params Hl7.Fhir.Model.Patient[] patients) =>
        feed.RegisterTokenAsync().ContinueWith(t => feed.PostAsync(FhirBundles.Json(FhirBundles.RegisterTransaction(patients)), t.Result)).Unwrap();

    [Fact]
    public async Task A_person_enrolled_by_a_provider_is_shown_unconfirmed_until_the_register_confirms_them()
    {
        var person = NewPerson("Siti Nurhaliza binte Ahmad", Sex.Female, 1985);
        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(person, FhirBundles.Diagnosis($"r-{Guid.NewGuid():N}")))).Status);
        var enrolled = await feed.PersonAsync(person.Nric);
        Assert.False(enrolled!.DemographicsConfirmed);
        Assert.Equal(1, enrolled.DemographicsVersion);

        var answer = await RegisterAsync(WithRace(person.ToFhir(), "Malay"));

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        var confirmed = await feed.PersonAsync(person.Nric);
        Assert.True(confirmed!.DemographicsConfirmed);
        Assert.Equal((2, Race.Malay), (confirmed.DemographicsVersion, confirmed.Race));
        await using var db = feed.Portal.CreateDbContext();
        var versions = await db.DemographicsChanges.Where(c => c.PatientId == confirmed.Id).OrderBy(c => c.Version).ToListAsync();
        Assert.Equal([DemographicsChangeKind.EnrolledByProvider, DemographicsChangeKind.Corrected], versions.Select(v => v.Kind));
        Assert.Contains(await db.AuditEvents.Where(e => e.PatientId == confirmed.Id).Select(e => e.EventType).ToListAsync(), t => t == AuditEventTypes.DemographicsChanged);
        var view = await feed.Portal.WithAsync<RecordGate, RecordView>(g => g.OpenOwnRecordAsync(DemoWorld.As(feed.World.PatientUserId)));
        Assert.True(view.Patient!.DemographicsConfirmed);
    }

    [Fact]
    public async Task The_registers_correction_wins_over_what_a_provider_enrolled_and_later_bundles_are_checked_against_it()
    {
        var enrolledAs = NewPerson("Ahmad Bin Ismail", Sex.Male, 1972);
        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(enrolledAs, FhirBundles.Diagnosis($"c-{Guid.NewGuid():N}")))).Status);
        var corrected = enrolledAs with { Name = "Ahmad Faisal bin Ismail", BirthDate = new DateOnly(1972, 7, 16) };

        var answer = await RegisterAsync(corrected.ToFhir());

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        var person = await feed.PersonAsync(enrolledAs.Nric);
        Assert.Equal(("Ahmad Faisal bin Ismail", new DateOnly(1972, 7, 16), true), (person!.Name, person.DateOfBirth, person.DemographicsConfirmed));
        Assert.Equal((HttpStatusCode)422, (await feed.PostAsync(FhirBundles.Transaction(enrolledAs, FhirBundles.Diagnosis($"c-{Guid.NewGuid():N}")))).Status);
        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(corrected, FhirBundles.Diagnosis($"c-{Guid.NewGuid():N}")))).Status);
    }

    [Fact]
    public async Task The_register_creates_persons_and_records_deaths()
    {
        var person = NewPerson("Rajesh s/o Kumar", Sex.Male, 1940);
        var created = await RegisterAsync(WithRace(person.ToFhir(), "Indian"));
        Assert.True(created.Status == HttpStatusCode.OK, created.ToString());
        Assert.Equal("201 Created", Assert.Single(created.Statuses));

        var death = person.ToFhir();
        death.Deceased = new FhirDateTime("2026-10-01T08:30:00+08:00");
        var died = await RegisterAsync(death);

        Assert.True(died.Status == HttpStatusCode.OK, died.ToString());
        var registered = await feed.PersonAsync(person.Nric);
        Assert.Equal((true, new DateOnly(2026, 10, 1), Race.Indian, 2), (registered!.IsDeceased, registered.DateOfDeath, registered.Race, registered.DemographicsVersion));
        await using var db = feed.Portal.CreateDbContext();
        Assert.Equal(DemographicsChangeKind.Deceased, (await db.DemographicsChanges.Where(c => c.PatientId == registered.Id).OrderBy(c => c.Version).LastAsync()).Kind);

        // A provider's administrator who registers the deceased is told so, and no notice goes to the person.
        var row = await feed.Portal.WithAsync<ProviderAdministration, RegistrationRow>(a => a.RegisterPatientAsync(DemoWorld.As(feed.World.AdminUserId), person.Nric, DemoWorld.RegistrationEnd(feed.Portal)));
        Assert.Equal((true, new DateOnly(2026, 10, 1)), (row.IsDeceased, row.DateOfDeath));
        Assert.False(await db.PatientNotices.AnyAsync(n => n.PatientId == registered.Id && n.Kind == NoticeKind.RegisteredByProvider));
        var listed = await feed.Portal.WithAsync<ProviderAdministration, RegistrationPage>(a => a.RegistrationsAsync(DemoWorld.As(feed.World.AdminUserId), person.Nric, 1));
        Assert.True(Assert.Single(listed.Rows).IsDeceased);
    }

    [Fact]
    public async Task A_FIN_holder_who_becomes_a_citizen_keeps_one_record_found_by_either_number()
    {
        var asForeigner = NewPerson("Nguyen Thi Lan", Sex.Female, 1992, 'G');
        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(asForeigner, FhirBundles.Allergy($"fin-{Guid.NewGuid():N}")))).Status);
        var before = await feed.PersonAsync(asForeigner.Nric);
        var citizen = Fixture.NewNric('S');
        var patient = (asForeigner with { Nric = citizen }).ToFhir();
        patient.Identifier.Add(new Identifier(FhirBundleReader.NricSystem, asForeigner.Nric) { Use = Identifier.IdentifierUse.Old });

        var answer = await RegisterAsync(patient);

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        var after = await feed.PersonAsync(citizen);
        Assert.Equal(before!.Id, after!.Id);
        Assert.Equal(citizen, after.Nric.Value);
        Assert.Equal(before.Id, (await feed.PersonAsync(asForeigner.Nric))!.Id);
        Assert.Single(await feed.EntriesAsync(after.Id));

        // A provider still sending the old FIN files under the same person; a clinician finds them by either number.
        Assert.Equal(HttpStatusCode.OK, (await feed.PostAsync(FhirBundles.Transaction(asForeigner, FhirBundles.Diagnosis($"fin-{Guid.NewGuid():N}")))).Status);
        Assert.Equal(2, (await feed.EntriesAsync(after.Id)).Count);
        await using var db = feed.Portal.CreateDbContext();
        Assert.Equal(DemographicsChangeKind.IdentifierChanged, (await db.DemographicsChanges.Where(c => c.PatientId == after.Id).OrderBy(c => c.Version).ToListAsync())[1].Kind);
    }

    [Fact]
    public async Task A_former_number_that_belongs_to_another_person_is_never_merged_by_the_feed()
    {
        var one = NewPerson("Wong Kar Wai", Sex.Male, 1958);
        var other = NewPerson("Wong Kar Mun", Sex.Male, 1959);
        Assert.Equal(HttpStatusCode.OK, (await RegisterAsync(one.ToFhir(), other.ToFhir())).Status);
        var merge = one.ToFhir();
        merge.Identifier.Add(new Identifier(FhirBundleReader.NricSystem, other.Nric) { Use = Identifier.IdentifierUse.Old });
        var before = await feed.Portal.ClinicalDataHashAsync();

        var answer = await RegisterAsync(merge);

        Assert.Equal((HttpStatusCode)422, answer.Status);
        Assert.Contains(answer.Issues, i => i.Code == "business-rule" && i.Diagnostics.Contains("not merged", StringComparison.Ordinal));
        Assert.Equal(before, await feed.Portal.ClinicalDataHashAsync());
    }

    [Fact]
    public async Task A_refused_Patient_in_a_register_transaction_undoes_the_ones_before_it()
    {
        var fine = NewPerson("Tay Boon Keng", Sex.Male, 1966);
        var impossible = NewPerson("Tay Boon Hock", Sex.Male, 1966).ToFhir();
        impossible.Deceased = new FhirDateTime("1950-01-01");
        var before = await feed.Portal.ClinicalDataHashAsync();

        var answer = await RegisterAsync(fine.ToFhir(), impossible);

        Assert.Equal((HttpStatusCode)422, answer.Status);
        Assert.Contains(answer.Issues, i => i.Expression == "Bundle.entry[1].resource");
        Assert.Null(await feed.PersonAsync(fine.Nric));
        Assert.Equal(before, await feed.Portal.ClinicalDataHashAsync());
    }

    [Fact]
    public async Task The_register_feed_keeps_persons_only()
    {
        var person = NewPerson("Loh Kean Yew", Sex.Male, 1997);
        var bundle = FhirBundles.RegisterTransaction(person.ToFhir());
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = $"urn:uuid:{Guid.NewGuid()}",
            Resource = new Condition { Code = new CodeableConcept { Text = "Asthma" }, Subject = new ResourceReference(bundle.Entry[0].FullUrl), RecordedDate = "2025-01-01" },
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Condition" },
        });

        var answer = await feed.PostAsync(FhirBundles.Json(bundle), await feed.RegisterTokenAsync());

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(["201 Created", "200 OK"], answer.Statuses);
        Assert.Contains(answer.EntryIssues(1), i => i.Severity == "information");
        Assert.Empty(await feed.EntriesAsync((await feed.PersonAsync(person.Nric))!.Id));
    }

    [Fact]
    public async Task The_registers_first_fill_loads_NDJSON_line_by_line_and_reports_each_bad_line()
    {
        var people = Enumerable.Range(0, 3).Select(i => NewPerson($"Bulk Person {i}", Sex.Female, 1980 + i)).ToList();
        var lines = people.Select(p => FhirBundles.Json(p.ToFhir())).ToList();
        lines.Insert(2, "{\"resourceType\":\"Patient\",\"birthDate\":\"yesterday\"}");
        lines.Add(string.Empty);
        lines.Add("{\"resourceType\":\"Patient\",\"birthDate\":\"1990-01-01\"}"); // no NRIC/FIN, name or gender: several problems, one line
        lines.Add("not json");

        var answer = await feed.PostAsync(string.Join('\n', lines), await feed.RegisterTokenAsync(), "application/fhir+ndjson", "/fhir/Patient/$load");

        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal("OperationOutcome", answer.ResourceType);
        var issues = answer.Issues;
        Assert.Equal("information", issues[0].Severity);
        Assert.Contains("7 lines read, 3 persons applied, 3 lines refused", issues[0].Diagnostics, StringComparison.Ordinal);
        Assert.Contains(issues, i => i.Severity == "error" && i.Expression.StartsWith("line 3", StringComparison.Ordinal));
        Assert.True(issues.Count(i => i.Severity == "error" && i.Expression.StartsWith("line 6:", StringComparison.Ordinal)) >= 2, answer.ToString());
        Assert.Contains(issues, i => i.Severity == "error" && i.Expression.StartsWith("line 7", StringComparison.Ordinal));
        await using (var db = feed.Portal.CreateDbContext())
        {
            var log = await db.ContributionBatches.OrderByDescending(b => b.Id).FirstAsync();
            Assert.Equal((ContributionOutcome.PartlyAccepted, 7, 3, 3), (log.Outcome, log.EntryCount, log.ResourceCount, log.RefusedCount));
        }

        foreach (var person in people)
        {
            Assert.True((await feed.PersonAsync(person.Nric))!.DemographicsConfirmed);
        }
    }

    [Fact]
    public async Task Only_the_population_registers_system_loads_persons_in_bulk()
    {
        var person = NewPerson("Not Allowed", Sex.Female, 1990);

        var answer = await feed.PostAsync(FhirBundles.Json(person.ToFhir()), contentType: "application/fhir+ndjson", path: "/fhir/Patient/$load");

        Assert.Equal((HttpStatusCode)422, answer.Status);
        Assert.Null(await feed.PersonAsync(person.Nric));
    }

    [Fact]
    public async Task The_register_system_is_onboarded_like_any_other_and_is_of_its_own_kind()
    {
        await using var db = feed.Portal.CreateDbContext();
        var register = await db.SystemConnections.SingleAsync(s => s.ClientId == DemoAccounts.RegisterClientId);
        var keeper = await db.Providers.SingleAsync(p => p.Id == register.ProviderId);

        Assert.Equal((SystemKind.PopulationRegister, ConnectionState.Approved), (register.Kind, register.State));
        Assert.NotNull(register.ConnectivityTestPassedAtUtc);
        Assert.NotNull(register.SecurityChecklistCompletedAtUtc);
        Assert.Equal(Nehr.Core.Administration.ProviderType.PopulationRegister, keeper.Type);
        Assert.False(keeper.IsLicensed);
    }
}
