using System.Net;
using System.Text;
using Hl7.Fhir.Model;

namespace Nehr.Integration.Tests;

/// <summary>The bundle limit counts bytes as they arrive, not characters: a text of two-byte letters is measured in bytes.</summary>
[Trait("Database", "ProviderIndependent")]
public sealed class BundleSizeLimitTests : IAsyncLifetime
{
    private const int Limit = 4096;
    private readonly PortalFactory _portal = new();

    public System.Threading.Tasks.Task InitializeAsync()
    {
        _portal.Settings["Nehr:Contribution:MaxBundleBytes"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return System.Threading.Tasks.Task.CompletedTask;
    }

    public System.Threading.Tasks.Task DisposeAsync()
    {
        _portal.Dispose();
        return System.Threading.Tasks.Task.CompletedTask;
    }

    [Fact]
    public async System.Threading.Tasks.Task A_bundle_under_the_limit_in_characters_but_over_it_in_bytes_is_refused_413()
    {
        var world = await DemoWorld.LoadAsync(_portal);
        var person = await FhirPerson.LoadAsync(_portal, world.OpenPatientId);
        using var client = _portal.CreateClient();
        var token = await ContributionApiTests.TokenAsync(client);
        // As many two-byte letters as keep the bundle under the limit in characters: it is then over it in bytes.
        string Bundle(int letters)
        {
            var condition = FhirBundles.Diagnosis("size-1");
            condition.Note.Add(new Annotation { Text = new string('é', letters) });
            return FhirBundles.Json(FhirBundles.Transaction(person, condition));
        }

        var json = Bundle(Limit - Bundle(0).Length - 10);
        Assert.True(json.Length < Limit && Encoding.UTF8.GetByteCount(json) > Limit, $"{json.Length} characters, {Encoding.UTF8.GetByteCount(json)} bytes");
        var before = await _portal.ClinicalDataHashAsync();

        var (status, body) = await ContributionApiTests.PostAsync(client, token, json);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("too-long", body, StringComparison.Ordinal);
        Assert.Equal(before, await _portal.ClinicalDataHashAsync());
    }
}
