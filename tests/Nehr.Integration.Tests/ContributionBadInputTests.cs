using System.Net;
using Hl7.Fhir.Model;
using Nehr.Core.Contribution;
using Task = System.Threading.Tasks.Task;

namespace Nehr.Integration.Tests;

/// <summary>
/// Bad input to the contribution API, case by case: each gets an OperationOutcome naming the entry and changes nothing.
/// One portal for the class (no case changes anything, which is what each asserts).
/// </summary>
public sealed class ContributionBadInputTests(FeedPortal feed) : IClassFixture<FeedPortal>
{
    public static TheoryData<string, Func<FhirPerson, string>, HttpStatusCode, string> BadInputs()
    {
        static Func<FhirPerson, string> Bundle(Func<FhirPerson, Bundle> make) => person => FhirBundles.Json(make(person));
        return new()
        {
            { "malformed JSON", _ => "{\"resourceType\": \"Bundle\", \"type\": ", HttpStatusCode.BadRequest, "Bundle" },
            { "not a bundle", _ => FhirBundles.Json(new Hl7.Fhir.Model.Patient()), HttpStatusCode.BadRequest, "Patient" },
            {
                "a collection", Bundle(p =>
                {
                    var collection = FhirBundles.Transaction(p, FhirBundles.Diagnosis("x"));
                    collection.Type = Hl7.Fhir.Model.Bundle.BundleType.Collection;
                    return collection;
                }), HttpStatusCode.BadRequest, "Bundle.type"
            },
            { "an empty bundle", _ => "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[]}", HttpStatusCode.BadRequest, "Bundle.entry" },
            { "a bundle without entries", _ => "{\"resourceType\":\"Bundle\",\"type\":\"batch\"}", HttpStatusCode.BadRequest, "Bundle.entry" },
            { "a missing element", Bundle(p => FhirBundles.Transaction(p, FhirBundles.Diagnosis("c2", text: null))), (HttpStatusCode)422, "Bundle.entry[1].resource.code" },
            {
                "an invalid NRIC", p => FhirBundles.Json(FhirBundles.Transaction(p, FhirBundles.Diagnosis("c3"))).Replace(p.Nric, "S1234567A", StringComparison.Ordinal),
                (HttpStatusCode)422, "Bundle.entry[0].resource.identifier[0]"
            },
            {
                "an oversize bundle", Bundle(p => FhirBundles.Transaction(p, Enumerable.Range(0, FhirBundleReader.MaxEntries).Select(i => (Resource)FhirBundles.Diagnosis($"big{i}")).ToArray())),
                HttpStatusCode.RequestEntityTooLarge, "Bundle.entry"
            },
        };
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_gets_an_operation_outcome_naming_the_entry_and_changes_nothing(string what, Func<FhirPerson, string> json, HttpStatusCode expected, string location)
    {
        var person = await FhirPerson.LoadAsync(feed.Portal, feed.World.OpenPatientId);
        var before = await feed.Portal.ClinicalDataHashAsync();

        var (status, body) = await ContributionApiTests.PostAsync(feed.Client, await feed.TokenAsync(), json(person));

        Assert.True(expected == status, $"{what}: {status} {body}");
        Assert.Contains(location, ContributionApiTests.Expressions(body));
        Assert.Equal(before, await feed.Portal.ClinicalDataHashAsync());
    }
}
