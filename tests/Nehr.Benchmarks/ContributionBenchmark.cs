using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Nehr.Core.Contribution;
using Nehr.Core.Data.Demo;
using Task = System.Threading.Tasks.Task;

namespace Nehr.Benchmarks;

/// <summary>
/// Contribution throughput over loopback HTTP: the real portal on Kestrel (127.0.0.1, a free port, a fresh SQLite
/// file with the demo data), an OAuth token, then bundles of 100 clinical resources (plus the Patient entry that names
/// the patient) posted by several concurrent callers. Bundles are serialised before the clock starts.
/// </summary>
internal static class ContributionBenchmark
{
    public const int ResourcesPerBundle = 100;

    public static async Task RunAsync(int bundles = 300, int[]? concurrencies = null)
    {
        concurrencies ??= [1, 4, 8];
        await KestrelPortal.RunFreshAsync((client, database) => RunOnAsync(client, People(database), bundles, concurrencies));
    }

    /// <summary>Posts the bundles to a running portal, for the patients given.</summary>
    public static async Task RunOnAsync(HttpClient client, IReadOnlyList<BenchPerson> people, int bundles, int[] concurrencies)
    {
        var token = await TokenAsync(client);
        var serializer = new FhirJsonSerializer();
        var run = 0;
        Console.WriteLine("Contribution over loopback HTTP (bundles of 100 resources):");
        foreach (var concurrency in concurrencies)
        {
            var jsons = Enumerable.Range(0, bundles)
                .Select(i => serializer.SerializeToString(Bundle(people[i % people.Count], $"r{run}b{i}")))
                .ToList();
            run++;

            // Warm up (JIT, connection pool, SQLite page cache) with a few bundles not counted.
            foreach (var json in jsons.Take(5))
            {
                await PostAsync(client, token, json);
            }

            var queue = new Queue<string>(jsons.Skip(5));
            var latencies = new List<double>();
            var stopwatch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                while (true)
                {
                    string json;
                    lock (queue)
                    {
                        if (queue.Count == 0)
                        {
                            return;
                        }

                        json = queue.Dequeue();
                    }

                    var started = Stopwatch.GetTimestamp();
                    await PostAsync(client, token, json);
                    var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    lock (latencies)
                    {
                        latencies.Add(ms);
                    }
                }
            }));
            stopwatch.Stop();
            latencies.Sort();
            var posted = bundles - 5;
            var perSecond = posted * ResourcesPerBundle / stopwatch.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {concurrency} concurrent caller(s): {posted} bundles, {posted * ResourcesPerBundle:N0} resources in {stopwatch.Elapsed.TotalSeconds:0.00} s = {perSecond:N0} resources/s (goal >= 2,500/s); per bundle p50 {Percentile(latencies, 0.50):0.0} ms, p95 {Percentile(latencies, 0.95):0.0} ms"));
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private static async Task PostAsync(HttpClient client, string token, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/fhir") { Content = new StringContent(json, Encoding.UTF8, "application/fhir+json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Contribution failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    internal static async Task<string> TokenAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = DemoAccounts.SystemClientId,
            ["client_secret"] = DemoAccounts.SystemSecret,
        }));
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    private static List<BenchPerson> People(string database)
    {
        using var connection = new SqliteConnection($"Data Source={database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Nric, Name, DateOfBirth, Sex FROM Patients ORDER BY Id LIMIT 1000";
        using var reader = command.ExecuteReader();
        var people = new List<BenchPerson>();
        while (reader.Read())
        {
            people.Add(new BenchPerson(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        return people;
    }

    /// <summary>100 clinical resources of every kind for one patient, each with its own source identifier.</summary>
    /// <summary>
    /// 100 clinical resources for one patient, with the Patient the identity cross-check compares (name, birth date,
    /// sex) and the request of every entry, as a provider's system sends them.
    /// </summary>
    private static Bundle Bundle(BenchPerson person, string prefix)
    {
        const string patientUrl = "urn:uuid:00000000-0000-4000-8000-000000000001";
        var subject = new ResourceReference(patientUrl);
        var bundle = new Bundle { Type = Hl7.Fhir.Model.Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = patientUrl,
            Resource = new Patient
            {
                Identifier = [new Identifier(FhirBundleReader.NricSystem, person.Nric)],
                Name = [new HumanName { Use = HumanName.NameUse.Official, Text = person.Name }],
                BirthDate = person.BirthDate,
                Gender = person.Sex switch { "Female" => AdministrativeGender.Female, "Male" => AdministrativeGender.Male, _ => AdministrativeGender.Unknown },
            },
            Request = new Bundle.RequestComponent { Method = Hl7.Fhir.Model.Bundle.HTTPVerb.PUT, Url = $"Patient?identifier={FhirBundleReader.NricSystem}|{person.Nric}" },
        });
        for (var i = 0; i < ResourcesPerBundle; i++)
        {
            var id = new List<Identifier> { new("urn:bench", $"{prefix}-{i}") };
            Resource resource = (i % 5) switch
            {
                0 => new Observation
                {
                    Identifier = id, Status = ObservationStatus.Final, Subject = subject,
                    Category = [new CodeableConcept(FhirBundleReader.ObservationCategorySystem, "laboratory")],
                    Code = new CodeableConcept("http://loinc.org", "2345-7", "Glucose", "Glucose"),
                    Value = new Quantity(5.4m + i % 3, "mmol/L"), Effective = new FhirDateTime("2025-06-04T08:00:00Z"),
                    ReferenceRange = [new Observation.ReferenceRangeComponent { Low = new Quantity(3.9m, "mmol/L"), High = new Quantity(7.8m, "mmol/L") }],
                },
                1 => new Condition { Identifier = id, Subject = subject, Code = new CodeableConcept { Text = "Essential hypertension" }, RecordedDate = "2025-05-01" },
                2 => new MedicationRequest
                {
                    Identifier = id, Subject = subject, Status = MedicationRequest.MedicationrequestStatus.Active, Intent = MedicationRequest.MedicationRequestIntent.Order,
                    Medication = new CodeableConcept { Text = "Amlodipine 5 mg tablet" }, AuthoredOn = "2025-05-02", DosageInstruction = [new Dosage { Text = "Once daily" }],
                },
                3 => new AllergyIntolerance { Identifier = id, Patient = subject, Code = new CodeableConcept { Text = "Peanut" }, RecordedDate = "2025-01-01" },
                _ => new Immunization
                {
                    Identifier = id, Patient = subject, Status = Immunization.ImmunizationStatusCodes.Completed,
                    VaccineCode = new CodeableConcept { Text = "Influenza vaccine" }, Occurrence = new FhirDateTime("2025-10-01"),
                },
            };
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"urn:uuid:{Guid.NewGuid()}",
                Resource = resource,
                Request = new Bundle.RequestComponent { Method = Hl7.Fhir.Model.Bundle.HTTPVerb.POST, Url = resource.TypeName },
            });
        }

        return bundle;
    }
}

/// <summary>A patient of the benchmark's database, as its system would describe them.</summary>
internal sealed record BenchPerson(string Nric, string Name, string BirthDate, string Sex);
