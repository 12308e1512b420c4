using System.Net;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nehr.Core.Audit;
using Nehr.Core.Data.Demo;
using Nehr.Core.Records;
using Nehr.Core.Representatives;
using Task = System.Threading.Tasks.Task;

namespace Nehr.Integration.Tests;

/// <summary>
/// "My record, to take with me": the patient (or a representative who may see the record) downloads an HL7
/// International Patient Summary (a FHIR R4 document) or opens a printable page; each is audited and in their history.
/// </summary>
public sealed class PatientSummaryTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly FhirJsonDeserializer Strict = new(new DeserializerSettings().UsingMode(DeserializationMode.Strict));

    private static Bundle Parse(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        return Strict.DeserializeResource(ref reader) as Bundle ?? throw new InvalidOperationException("Not a Bundle.");
    }

    [Fact]
    public async Task The_download_is_a_valid_r4_document_bundle_with_the_ips_sections_and_every_current_entry_of_the_record()
    {
        var world = await DemoWorld.LoadAsync(portal);
        using var client = await portal.SignedInClientAsync(DemoAccounts.Patient);

        using var response = await client.GetAsync("/patient/summary.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition?.ToString(), StringComparison.Ordinal);
        var bundle = Parse(await response.Content.ReadAsStringAsync());

        // Valid against the base R4 definitions as the SDK knows them (cardinality, required elements, value formats).
        Assert.Empty(bundle.Validate(ModelInfo.ModelInspector, NarrativeValidationKind.FhirXhtml, null, true));
        Assert.Equal(Bundle.BundleType.Document, bundle.Type);
        Assert.NotNull(bundle.Identifier?.Value);
        Assert.NotNull(bundle.Timestamp);
        var composition = Assert.IsType<Composition>(bundle.Entry[0].Resource);
        Assert.Equal(("http://loinc.org", "60591-5"), (composition.Type.Coding[0].System, composition.Type.Coding[0].Code));
        var urls = bundle.Entry.ToDictionary(e => e.FullUrl!, e => e.Resource);
        var patient = Assert.IsType<Hl7.Fhir.Model.Patient>(urls[composition.Subject!.Reference!]);
        await using var db = portal.CreateDbContext();
        var nric = (await db.Patients.SingleAsync(p => p.Id == world.OpenPatientId)).Nric.Value;
        Assert.Equal(nric, patient.Identifier.Single().Value);
        Assert.Contains(composition.Author, a => urls[a.Reference!] is Organization);

        // The three sections the IPS requires, and every reference resolving inside the document.
        var codes = composition.Section.Select(s => s.Code!.Coding[0].Code).ToList();
        Assert.Contains("48765-2", codes);
        Assert.Contains("10160-0", codes);
        Assert.Contains("11450-4", codes);
        Assert.All(composition.Section, s => Assert.True(s.Entry.Count > 0 || s.EmptyReason is not null));
        Assert.All(composition.Section.SelectMany(s => s.Entry), r => Assert.True(urls.ContainsKey(r.Reference!), r.Reference));
        var allergies = await db.ClinicalEntries.OfType<AllergyEntry>().CountAsync(e => e.PatientId == world.OpenPatientId && e.WithdrawnAtUtc == null);
        Assert.Equal(allergies, bundle.Entry.Count(e => e.Resource is AllergyIntolerance));
        var medications = await db.ClinicalEntries.OfType<MedicationEntry>().CountAsync(e => e.PatientId == world.OpenPatientId && e.WithdrawnAtUtc == null);
        Assert.Equal(medications, bundle.Entry.Count(e => e.Resource is MedicationStatement));

        // Audited, before anything left, and in the patient's own history.
        var exported = await db.AuditEvents.OrderBy(e => e.Sequence).LastAsync(e => e.EventType == AuditEventTypes.RecordExported);
        Assert.Equal((world.PatientUserId, world.OpenPatientId), (exported.ActorUserId, exported.PatientId));
        Assert.Contains("format=ips-json", exported.Details, StringComparison.Ordinal);
        var activity = await portal.WithAsync<AccessHistory, IReadOnlyList<RepresentativeActivity>>(h => h.RepresentativeActivityAsync(DemoWorld.As(world.PatientUserId)));
        Assert.Contains(activity, a => a.Sequence == exported.Sequence && a.RepresentativeName == "You");
    }

    [Fact]
    public async Task The_printable_page_needs_no_circuit_shows_every_section_and_is_audited()
    {
        var world = await DemoWorld.LoadAsync(portal);
        using var client = await portal.SignedInClientAsync(DemoAccounts.Patient);

        var page = await client.GetStringAsync("/patient/summary");

        await using var db = portal.CreateDbContext();
        var name = (await db.Patients.SingleAsync(p => p.Id == world.OpenPatientId)).Name;
        Assert.Contains($"Patient summary: {name}", page, StringComparison.Ordinal);
        // No interactive component on the page (an interactive one leaves its server marker for the circuit to start).
        Assert.DoesNotContain("Blazor:{\"type\":\"server\"", page, StringComparison.Ordinal);
        foreach (var title in new[] { "Allergies and intolerances", "Medication summary", "Problem list", "Immunizations", "Results", "History of procedures" })
        {
            Assert.Contains(title, page, StringComparison.Ordinal);
        }

        Assert.Contains("format=print", (await db.AuditEvents.OrderBy(e => e.Sequence).LastAsync(e => e.EventType == AuditEventTypes.RecordExported)).Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_representative_takes_the_summary_of_the_patient_they_act_for_only_if_they_may_see_the_record()
    {
        var world = await DemoWorld.LoadAsync(portal);
        await using var db = portal.CreateDbContext();
        var (a, b) = (await NewPersonAsync(db, 0), await NewPersonAsync(db, 1));
        var service = (Func<Func<RepresentationService, Task<long>>, Task<long>>)(use => portal.WithAsync(use));
        var reader = await service(s => s.InviteAsync(DemoWorld.As(world.RestrictedUserId), a.Nric, RepresentativePowers.SeeRecord));
        var historian = await service(s => s.InviteAsync(DemoWorld.As(world.RestrictedUserId), b.Nric, RepresentativePowers.SeeAccessHistory));
        await portal.WithAsync<RepresentationService, bool>(async s =>
        {
            await s.AcceptAsync(DemoWorld.As(a.UserId), reader);
            await s.AcceptAsync(DemoWorld.As(b.UserId), historian);
            return true;
        });

        var gate = (Func<Nehr.Core.Audit.AuditContext, Task<Nehr.Core.Access.RecordView>>)(who =>
            portal.WithAsync<Nehr.Core.Access.RecordGate, Nehr.Core.Access.RecordView>(g => g.ExportOwnRecordAsync(who, "ips-json")));
        var view = await gate(DemoWorld.As(a.UserId) with { RepresentationId = reader });
        Assert.Equal(world.RestrictedPatientId, view.Patient!.Id);
        var refused = await Assert.ThrowsAsync<Nehr.Core.AccessRefusedException>(() => gate(DemoWorld.As(b.UserId) with { RepresentationId = historian }));
        Assert.Contains("it does not allow this", refused.Message, StringComparison.Ordinal);
        var exported = await db.AuditEvents.OrderBy(e => e.Sequence).LastAsync(e => e.EventType == AuditEventTypes.RecordExported);
        Assert.Equal((a.UserId, "Representative", world.RestrictedPatientId), (exported.ActorUserId, exported.ActorRole, exported.PatientId));
    }

    [Fact]
    public async Task Staff_cannot_download_a_patient_summary()
    {
        using var client = await portal.SignedInClientAsync(DemoAccounts.HospitalDoctor);

        using var response = await client.GetAsync("/patient/summary.json");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/AccessDenied", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    private async Task<(string UserId, string Nric)> NewPersonAsync(Nehr.Core.Data.NehrDbContext db, int skip)
    {
        var person = await db.Patients.Where(p => !db.Users.Any(u => u.PatientId == p.Id) && !p.IsDeceased).OrderBy(p => p.Id).Skip(skip).FirstAsync();
        using (await portal.SignedInPersonAsync(person.Nric.Value))
        {
        }

        return (await db.Users.Where(u => u.PatientId == person.Id).Select(u => u.Id).SingleAsync(), person.Nric.Value);
    }
}
