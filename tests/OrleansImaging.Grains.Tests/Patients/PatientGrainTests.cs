using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Patients;
using OrleansImaging.Grains.Tests.Cluster;
using static OrleansImaging.Grains.Tests.Cluster.TestCallers;

namespace OrleansImaging.Grains.Tests.Patients;

[Collection(ImagingClusterCollection.Name)]
public sealed class PatientGrainTests(ImagingClusterFixture fixture)
{
    [Fact]
    public async Task RecordStudyAsync_SameStudyTwice_ListedOnce()
    {
        using var _ = CallerContext.Use(Doctor());
        var patient = fixture.Client.GetGrain<IPatientGrain>(GrainKeys.Patient(TenantA, $"PID/{Guid.NewGuid():N}"));
        var study = new PatientStudy(TestInstances.NewStudyUid(), "20240115", "CT CHEST");
        var demographics = new PatientDemographics("DOE^JANE", "19700101", "F");

        await patient.RecordStudyAsync(study, demographics);
        await patient.RecordStudyAsync(study, demographics);

        Assert.Equal([study], await patient.GetStudiesAsync());
    }

    [Fact] // S3.2: another hospital cannot read or write the patient; S3.1: a read-only token cannot write
    public async Task Calls_OtherTenantOrReadOnly_Refused_S3_2_S3_1()
    {
        var key = GrainKeys.Patient(TenantA, $"PID-{Guid.NewGuid():N}"[..20]);
        var study = new PatientStudy(TestInstances.NewStudyUid(), null, null);
        using (CallerContext.Use(Doctor(TenantA)))
        {
            await fixture.Client.GetGrain<IPatientGrain>(key).RecordStudyAsync(study, new PatientDemographics("DOE^J", null, null));
        }
        using (CallerContext.Use(Doctor(TenantB)))
        {
            await Assert.ThrowsAsync<NotFoundException>(() => fixture.Client.GetGrain<IPatientGrain>(key).GetStudiesAsync());
            await Assert.ThrowsAsync<NotFoundException>(() => fixture.Client.GetGrain<IPatientGrain>(key).RecordStudyAsync(study, new PatientDemographics(null, null, null)));
        }
        using (CallerContext.Use(ReadOnlyToken(TenantA)))
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => fixture.Client.GetGrain<IPatientGrain>(key).RecordStudyAsync(study, new PatientDemographics(null, null, null)));
            Assert.Equal([study], await fixture.Client.GetGrain<IPatientGrain>(key).GetStudiesAsync());
        }
    }
}
