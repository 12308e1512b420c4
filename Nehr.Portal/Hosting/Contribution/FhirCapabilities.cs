using Hl7.Fhir.Model;
using Nehr.Core.Contribution;

namespace Nehr.Portal.Hosting;

/// <summary>GET /fhir/metadata: what the contribution API accepts, built from what the reader keeps.</summary>
internal static class FhirCapabilities
{

    internal static CapabilityStatement Of(HttpContext context) => new()
    {
        Status = PublicationStatus.Active,
        Date = "2026-11-26",
        Kind = CapabilityStatementKind.Instance,
        FhirVersion = FHIRVersion.N4_0_1,
        Format = ["json"],
        Software = new CapabilityStatement.SoftwareComponent { Name = "NEHR Portal contribution API" },
        Implementation = new CapabilityStatement.ImplementationComponent
        {
            Description = $"NEHR contribution API. Persons are identified by identifier system {FhirBundleReader.NricSystem} (NRIC/FIN); every bundle carries "
                + "the Patient (name, birthDate, gender) of each person it files for, cross-checked with the person register. Observations and "
                + "DiagnosticReports are kept when they are laboratory or imaging (radiology) results; what the NEHR does not keep is reported as not kept.",
            Url = $"{context.Request.Scheme}://{context.Request.Host}{ContributionExtensions.FhirBase}",
        },
        Rest =
        [
            new CapabilityStatement.RestComponent
            {
                Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                Security = new CapabilityStatement.SecurityComponent
                {
                    Description = $"OAuth 2.0 client credentials: POST {ContributionExtensions.TokenPath} with the client id and secret issued at onboarding; send the token as a Bearer token in the Authorization header.",
                },
                Interaction =
                [
                    new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Transaction },
                    new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Batch },
                ],
                Resource = FhirBundleReader.KeptTypes.Select(t => new CapabilityStatement.ResourceComponent { Type = t }).ToList(),
            },
        ],
    };
}
