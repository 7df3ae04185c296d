/* Entry of the studio's BPMN modeler bundle (built by studio/assets/build.mjs into
 * node_modules/.casestudio/, never committed).
 *
 * Why a bundle: bpmn-js-properties-panel and its providers ship as ES modules that must
 * share one diagram-js/bpmn-js instance with the modeler; esbuild ties them together and
 * the page loads one script that exposes window.CaseStudioModeler. */
import BpmnModeler from "bpmn-js/lib/Modeler";
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule,
} from "bpmn-js-properties-panel";
import CamundaBehaviorsModule from "camunda-bpmn-js-behaviors/lib/camunda-platform";
import camundaModdle from "camunda-bpmn-moddle/resources/camunda.json";

const modules = [
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule,
  CamundaBehaviorsModule,
];

/** A Camunda-flavoured modeler drawing into `container`, its panel into `panel`. */
function create(container, panel) {
  return new BpmnModeler({
    container,
    propertiesPanel: { parent: panel },
    additionalModules: modules,
    moddleExtensions: { camunda: camundaModdle },
  });
}

window.CaseStudioModeler = { create, BpmnModeler, modules, moddleExtensions: { camunda: camundaModdle } };
