package iamdata

import (
	"slices"
	"sort"
	"sync"
)

// Services that share a prefix. Elastic Load Balancing has two services
// under the prefix elasticloadbalancing: the Classic Load Balancer's
// (version 1) and the Application, Network and Gateway Load Balancers'
// (version 2). The source data keeps one action per name, and where both
// services name an action the version 1 action hides the version 2 one
// (AddTags acting on a classic loadbalancer only). The version 2 resource
// types are added back to those actions, from the version 2 page.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancing.html

var elbV2LoadBalancers = []string{"loadbalancer/app/", "loadbalancer/gwy/", "loadbalancer/net/"}

// sharedPrefixActions lists, per prefix and action (lower-case), the
// resource types of the other service of the prefix; built with the
// first service read, not when the program starts.
var sharedPrefixActions = sync.OnceValue(func() map[string]map[string][]string {
	return map[string]map[string][]string{
		"elasticloadbalancing": {
			"addtags":                      append([]string{"listener/app", "listener/gwy", "listener/net", "listener-rule/app", "listener-rule/net", "targetgroup", "truststore"}, elbV2LoadBalancers...),
			"removetags":                   append([]string{"listener/app", "listener/gwy", "listener/net", "listener-rule/app", "listener-rule/net", "targetgroup", "truststore"}, elbV2LoadBalancers...),
			"createloadbalancer":           elbV2LoadBalancers,
			"deleteloadbalancer":           elbV2LoadBalancers,
			"modifyloadbalancerattributes": elbV2LoadBalancers,
			"setsecuritygroups":            elbV2LoadBalancers,
			"setsubnets":                   elbV2LoadBalancers,
			"registertargets":              {"targetgroup"},
			"deregistertargets":            {"targetgroup"},
		},
	}
})

// documentedResources are resource types the AWS documentation gives and
// the source data lacks, per prefix, with the actions that take them.
// CloudFormation's transforms: CreateChangeSet on
// arn:aws:cloudformation:REGION:aws:transform/Serverless-2016-10-31.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/transform-aws-serverless.html
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html
var documentedResources = map[string][]struct {
	ResourceType
	actions []string
}{
	"cloudformation": {{ResourceType{Name: "transform", ARN: "arn:${Partition}:cloudformation:${Region}:aws:transform/${TransformName}"},
		[]string{"createchangeset", "createstack", "updatestack"}}},
}

// mergeSharedPrefix adds to the service's actions the resource types the
// other service of its prefix gives them, and the documented resource
// types the data lacks.
func mergeSharedPrefix(prefix string, data *BundledService) {
	for _, d := range documentedResources[prefix] {
		if !hasType(data, d.Name) {
			data.Resources = append(data.Resources, d.ResourceType)
			sort.Slice(data.Resources, func(i, j int) bool { return data.Resources[i].Name < data.Resources[j].Name })
		}
		for _, name := range d.actions {
			if a := bundledAction(data, name); a != nil && !hasResource(a.Resources, d.Name) {
				a.Resources = append(a.Resources, ActionResource{Name: d.Name})
			}
		}
	}
	extra := sharedPrefixActions()[prefix]
	for name, types := range extra {
		a := bundledAction(data, name)
		if a == nil {
			continue
		}
		for _, t := range types {
			if !hasResource(a.Resources, t) && hasType(data, t) {
				a.Resources = append(a.Resources, ActionResource{Name: t})
			}
		}
	}
}

// bundledAction finds an action by its lower-case name, or nil.
func bundledAction(data *BundledService, name string) *BundledAction {
	for i := range data.Actions {
		if compareFold(data.Actions[i].Name, name) == 0 {
			return &data.Actions[i]
		}
	}
	return nil
}

func hasType(data *BundledService, name string) bool {
	return slices.ContainsFunc(data.Resources, func(r ResourceType) bool { return r.Name == name })
}

func hasResource(rs []ActionResource, name string) bool {
	for _, r := range rs {
		if r.Name == name {
			return true
		}
	}
	return false
}
