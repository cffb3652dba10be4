using CareLoop.Domain.Commerce;

namespace CareLoop.Server.Modules.Commerce;

public sealed record SupplierCertificateDto(string? Name, string? Number, DateOnly? ExpiresOn);

public sealed record SupplierDto(
    string? ExternalId, string? Name, string? NameEn, SupplierStatus? Status, string? ContactEmail, string? ContactPhone,
    IReadOnlyList<SupplierCertificateDto?>? Certificates, string? QualityAgreementNumber, DateOnly? QualityAgreementSignedOn,
    DateOnly? QualityAgreementExpiresOn, string? UpdatedAt, long? Version = null) : IExternalDto;

/// <summary>Upserts suppliers (<c>PUT /api/v1/suppliers/{externalId}</c>).</summary>
public sealed class SupplierUpsert : UpsertKind<Supplier, SupplierDto>
{
    public override string Name => "suppliers";
    public override string Label => "supplier";

    public override void Validate(SupplierDto d, Fields f)
    {
        f.Text("name", d.Name, 200, required: true);
        f.Text("nameEn", d.NameEn, 200);
        f.Text("contactEmail", d.ContactEmail, 200);
        f.Text("contactPhone", d.ContactPhone, 40);
        f.Text("qualityAgreementNumber", d.QualityAgreementNumber, 100);
        if (d.QualityAgreementSignedOn is { } s && d.QualityAgreementExpiresOn is { } e && e < s)
        {
            f.Add("qualityAgreementExpiresOn", "must not be before qualityAgreementSignedOn.");
        }
        for (var i = 0; i < (d.Certificates?.Count ?? 0); i++)
        {
            var c = d.Certificates![i];
            var cf = f.At($"certificates[{i}]");
            if (c is null)
            {
                cf.Add("name", "is required.");
                continue;
            }
            cf.Text("name", c.Name, 200, required: true);
            cf.Text("number", c.Number, 100);
        }
    }

    public override bool Apply(SupplierDto d, Supplier s, bool isNew, UpsertContext ctx, Fields f)
    {
        s.Name = d.Name!.Trim();
        s.NameEn = d.NameEn;
        s.Status = d.Status ?? SupplierStatus.Applicant;
        s.ContactEmail = d.ContactEmail;
        s.ContactPhone = d.ContactPhone;
        s.QualityAgreementNumber = d.QualityAgreementNumber;
        s.QualityAgreementSignedOn = d.QualityAgreementSignedOn;
        s.QualityAgreementExpiresOn = d.QualityAgreementExpiresOn;
        var certificates = (d.Certificates ?? []).Select(c => new SupplierCertificate { Name = c!.Name!.Trim(), Number = c.Number, ExpiresOn = c.ExpiresOn }).ToList();
        if (SameJson(certificates, s.Certificates))
        {
            return false;
        }
        s.Certificates = certificates;
        return true;
    }

    public override Task<SupplierDto> ToDtoAsync(Supplier s, RefCache refs, CancellationToken ct) => Task.FromResult(new SupplierDto(
        s.ExternalId, s.Name, s.NameEn, s.Status, s.ContactEmail, s.ContactPhone,
        s.Certificates.Select(c => new SupplierCertificateDto(c.Name, c.Number, c.ExpiresOn)).ToList(),
        s.QualityAgreementNumber, s.QualityAgreementSignedOn, s.QualityAgreementExpiresOn, Instants.Format(s.SourceUpdatedAt), s.Version));
}
