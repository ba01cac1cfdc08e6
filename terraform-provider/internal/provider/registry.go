package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// resources and dataSources are everything the provider serves: a new one is its own file plus
// one line here (and its docs page, example and acceptance test).
var resources = []func() resource.Resource{
	NewSSHKeyResource,
	NewInstanceResource,
	NewAPIKeyResource,
	NewClusterResource,
	NewVMResource,
	NewModelDeploymentResource,
	NewSpendingAlertResource,
}

var dataSources = []func() datasource.DataSource{
	NewGPUTiersDataSource,
	NewVMTemplatesDataSource,
	NewTokenPackagesDataSource,
	NewModelCatalogueDataSource,
}
